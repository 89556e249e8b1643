"""Check the article gold set: run `.venv/bin/python tests/articles/check.py` from the project root.

For every NN-slug.txt / NN-slug.gold.yaml pair: the text is UTF-8, 150-400 words, opens with a
headline without a final full stop; the gold names its article, language, publication day and
dataset; every clue occurs exactly once in the article, in one sentence of the body (not in the
headline), and the clues come in article order; every date parses as a PartialDate; kinds and
event types are the model's; every new actor's name occurs in the text and is not already a
name or alias of an actor of the dataset; every duplicate_of is an event id of the dataset.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import get_args

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def sentences(text: str, lang: str) -> list[str]:
    """The body's sentences (paragraph by paragraph, split as `timeline extract` does)."""
    import spacy
    from spacy.pipeline import Sentencizer

    nlp = spacy.blank(lang)
    split = Sentencizer()
    out: list[str] = []
    for para in text.split("\n\n"):
        if para.strip():
            out += [s.text.strip() for s in split(nlp(para.strip())).sents if s.text.strip()]
    return out


def main() -> int:
    from timeline.dates import PartialDate
    from timeline.load import read_dataset
    from timeline.models import ActorKind, EventType

    kinds, types = set(get_args(ActorKind)), set(get_args(EventType))
    problems: list[str] = []
    datasets: dict[str, object] = {}
    golds = sorted(HERE.glob("*.gold.yaml"))
    texts = sorted(HERE.glob("[0-9]*.txt"))
    if {p.name.removesuffix(".gold.yaml") for p in golds} != {p.stem for p in texts}:
        problems.append("every NN-slug.txt needs its NN-slug.gold.yaml and the other way round")
    for path in golds:
        g = yaml.safe_load(path.read_text(encoding="utf-8"))

        def bad(msg: str, name: str = path.name) -> None:
            problems.append(f"{name}: {msg}")

        extra = set(g) - {"article", "lang", "published", "dataset", "actors", "events"}
        if extra:
            bad(f"unknown fields {sorted(extra)}")
        text = (HERE / g["article"]).read_text(encoding="utf-8")
        headline, _, body = text.partition("\n\n")
        if "\n" in headline.strip() or headline.rstrip().endswith("."):
            bad("the first line must be a headline on its own, without a final full stop")
        words = len(text.split())
        if not 150 <= words <= 400:
            bad(f"{words} words; write 150-400")
        if g["lang"] not in ("en", "es"):
            bad(f"lang {g['lang']!r}")
        if not isinstance(g["published"], date):
            bad(f"published {g['published']!r} is not a day")
        ds_path = g["dataset"]
        if ds_path not in datasets:
            datasets[ds_path] = read_dataset(ROOT / ds_path)
        ds = datasets[ds_path]
        known = {a.name.casefold() for a in ds.actors} | {
            alias.casefold() for a in ds.actors for alias in a.aliases
        }
        event_ids = {e.id for e in ds.events}
        for actor in g["actors"]:
            if set(actor) != {"name", "kind"}:
                bad(f"actor {actor}: write name and kind")
            if actor["kind"] not in kinds:
                bad(f"actor {actor['name']}: kind {actor['kind']!r} is not one of {sorted(kinds)}")
            if actor["name"] not in text:
                bad(f"actor {actor['name']!r} does not occur in the article")
            if actor["name"].casefold() in known:
                bad(f"actor {actor['name']!r} is already an actor of {ds_path}")
        sents = sentences(body, g["lang"])
        last = -1
        for ev in g["events"]:
            clue = ev["clue"]
            extra = set(ev) - {"clue", "date", "type", "duplicate_of"}
            if extra:
                bad(f"event {clue!r}: unknown fields {sorted(extra)}")
            if text.count(clue) != 1:
                bad(f"clue {clue!r} occurs {text.count(clue)} times in the article")
            if clue in headline:
                bad(f"clue {clue!r} is in the headline")
            hits = [s for s in sents if clue in s]
            if len(hits) != 1:
                bad(f"clue {clue!r} is in {len(hits)} sentences")
            pos = text.find(clue)
            if pos < last:
                bad(f"clue {clue!r} is out of article order")
            last = pos
            try:
                PartialDate.parse(ev["date"])
            except ValueError as exc:
                bad(f"event {clue!r}: {exc}")
            if ev["type"] not in types:
                bad(f"event {clue!r}: type {ev['type']!r} is not one of {sorted(types)}")
            dup = ev.get("duplicate_of")
            if dup is not None and dup not in event_ids:
                bad(f"event {clue!r}: duplicate_of {dup!r} is not an event of {ds_path}")
    for p in problems:
        print(p)
    n_events = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["events"]) for p in golds)
    print(f"{len(golds)} articles, {n_events} gold events: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
