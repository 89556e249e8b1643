"""The reading commands against a shared store (a real Oxigraph server on 127.0.0.1) beside the
same commands on the local build folder.

    .venv/bin/python bench/bench_remote.py 10000

For each N, `bench/synth.py N` is built (`--ner gazetteer --no-cache`) and pushed with `timeline
push` to a fresh `oxigraph serve`; then every saved query (a busy and a median actor where an
actor is asked for), `actors`, `relations` and `path` run once through the build
folder and once through `--endpoint`, each a fresh process timed from start to exit (wall time,
peak RSS of the client; the server's own work is in the wall time, its memory is not). The
answers of both sides are compared byte for byte. Results print as a Markdown table and go to
bench/results/remote.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))

import synth  # noqa: E402
from bench_incremental import run  # noqa: E402
from servers import oxigraph_server  # noqa: E402

GRAPH = "urn:timeline:bench"


def measure(n: int, work: Path) -> dict[str, Any]:
    from timeline.query import saved_queries

    data, out = work / "data.yaml", work / "out"
    synth.write(n, data, seed=0)
    run(["build", str(data), "-o", str(out), "--ner", "gazetteer", "--no-cache"])
    rows: dict[str, Any] = {}
    with oxigraph_server(work / "oxigraph") as server:
        began = time.perf_counter()
        run(
            [
                "push",
                str(out),
                "--endpoint",
                f"{server}/store",
                "--graph",
                GRAPH,
                "--timeout",
                "3600",
            ]
        )
        rows["push"] = {"endpoint": {"s": time.perf_counter() - began}}
        remote = ["--endpoint", f"{server}/query", "--graph", GRAPH]
        counts = run(["query", str(out), "actors", "--format", "csv"])[2].splitlines()[1:]
        by_events = sorted((int(line.rsplit(",", 1)[1]), line.split(",", 1)[0]) for line in counts)
        busy, median = by_events[-1][1], by_events[len(by_events) // 2][1]
        listed = run(["query", str(out), "events-between", "--format", "csv", "-p", "from=2020"])
        event = listed[2].splitlines()[1].split(",")[3]
        cases: list[tuple[str, list[str]]] = []
        for name, saved in saved_queries().items():
            kinds = {p.kind for p in saved.params if p.required}
            if "actor" in kinds:
                for who in (busy, median):
                    cases.append((f"{name} ({who})", ["query", name, "-p", f"actor={who}"]))
            elif kinds & {"event", "fact"}:
                key = saved.params[0].name
                cases.append((name, ["query", name, "-p", f"{key}={event}"]))
            elif name == "events-between":
                cases.append((name, ["query", name, "-p", "from=2020-01", "-p", "to=2020-12"]))
            else:
                cases.append((name, ["query", name]))
        cases += [
            ("timeline actors --limit 10", ["actors", "--limit", "10"]),
            (f"timeline relations {busy}", ["relations", busy]),
            (f"timeline path {busy} {median}", ["path", busy, median]),
        ]
        for label, (command, *args) in cases:
            fmt = ["--format", "csv"]
            local = run([command, str(out), *args, *fmt, "--timeout", "600"])
            there = run([command, *args, *fmt, *remote, "--timeout", "600"])
            rows[label] = {
                "build folder": {"s": local[0], "mb": local[1]},
                "endpoint": {"s": there[0], "mb": there[1]},
                "identical": local[2] == there[2],
                "rows": len(local[2].splitlines()) - 1,
            }
            print(f"  {n:,}: {label}", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results[str(n)] = measure(n, Path(tmp))
        _print(n, results[str(n)])
    target = ROOT / "results" / "remote.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def _print(n: int, rows: dict[str, Any]) -> None:
    print(f"\n{n:,} events: build folder vs endpoint (s, whole process)\n")
    print("| command | rows | build folder | endpoint | identical |")
    print("|---|---:|---:|---:|---|")
    for label, r in rows.items():
        if label == "push":
            print(f"| push ({n:,} events) | | | {r['endpoint']['s']:.1f} | |")
            continue
        print(
            f"| {label} | {r['rows']} | {r['build folder']['s']:.2f} | {r['endpoint']['s']:.2f} "
            f"| {'yes' if r['identical'] else 'NO'} |"
        )


if __name__ == "__main__":
    main()
