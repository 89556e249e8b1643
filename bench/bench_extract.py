"""Extraction speed: words per second of `link_dataset` vs raw `nlp.pipe` of the same pipeline.

    .venv/bin/python bench/bench_extract.py            # 5,000 synthetic events, 3 rounds
    .venv/bin/python bench/bench_extract.py 20000 --rounds 5
    .venv/bin/python bench/bench_extract.py 100000 --jobs 2 --ner gazetteer

The texts are the event texts of a deterministic synthetic dataset (bench/synth.py). "raw" runs
`nlp.pipe` over the texts and only walks the entities; "extract+link" is what `timeline build`
runs (spans, gazetteer keys, context resolution, Mention objects), in one process unless
`--jobs` says otherwise, since "raw" uses one (left to itself, `link_dataset` reads large inputs
with two). The overhead is the ratio of the two medians (target: at most 1.3x). The model
pipeline is measured too when installed, unless `--ner gazetteer`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _median_time(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    from synth import generate  # type: ignore[import-not-found]
    from timeline.extract import Gazetteer, get_extractor, installed_model
    from timeline.link import link_dataset
    from timeline.load import read_dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=int, nargs="?", default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="processes for extract+link (raw nlp.pipe always uses one)",
    )
    parser.add_argument("--ner", choices=["all", "gazetteer"], default="all")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.yaml"
        path.write_text(generate(args.events, seed=0), encoding="utf-8")
        dataset = read_dataset(path)
    texts = [e.text for e in dataset.events]
    words = sum(len(t.split()) for t in texts)
    gaz = Gazetteer.from_dataset(dataset)
    print(
        f"{len(texts)} event texts, {words} words, {len(gaz.patterns)} gazetteer patterns, "
        f"median of {args.rounds} rounds, batch size {args.batch_size}, "
        f"extract+link in {args.jobs} process{'es' if args.jobs > 1 else ''}"
    )
    modes = ["gazetteer"] + (["model"] if installed_model() and args.ner == "all" else [])
    for mode in modes:
        ex = get_extractor(gaz, mode)

        def raw(ex=ex) -> None:  # type: ignore[no-untyped-def]
            for doc in ex.nlp.pipe(texts, batch_size=args.batch_size):
                for _ in doc.ents:
                    pass

        def full(ex=ex) -> None:  # type: ignore[no-untyped-def]
            link_dataset(dataset, ex, batch_size=args.batch_size, jobs=args.jobs)

        raw()  # warm up: the first pass fills spaCy's vocabulary and our fold cache
        rounds = args.rounds if mode == "gazetteer" else max(1, args.rounds // 3)
        t_raw = _median_time(raw, rounds)
        t_full = _median_time(full, rounds)
        mentions = link_dataset(dataset, ex, batch_size=args.batch_size, jobs=args.jobs)
        linked = sum(1 for m in mentions if m.actor)
        print(f"{ex.name}")
        print(f"  raw nlp.pipe     {words / t_raw:>10,.0f} words/s  ({t_raw:.2f} s)")
        print(
            f"  extract+link     {words / t_full:>10,.0f} words/s  ({t_full:.2f} s)  "
            f"{len(mentions)} mentions, {linked} linked"
        )
        print(f"  overhead         {t_full / t_raw:>10.2f}x (target <= 1.3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
