"""The build folder: full builds with the store, rebuilds after one edit, and every saved query
through `timeline query OUT`, against today's other paths (the `.ttl` and the dataset).

    .venv/bin/python bench/bench_incremental.py 10000 100000
    .venv/bin/python bench/bench_incremental.py 10000 --skip-old    # leave out the slow paths

For each N, a folder from `bench/synth.py N --per-file 1000` is built as a user builds it, each
command a fresh process timed from start to exit (wall time; peak RSS of the largest process of
the command, its workers and the store's loader included): a full build without the cache
(`--no-cache`), a first build with it (the default), the same again with nothing changed, then
one edit of each kind of `synth.EDITS` (summary, date, participant, added event, removed event,
actor, relation), each rebuilt and then compared byte for byte (graph.ttl, view.html) and triple
for triple (the store) with a fresh build of the same data. Then every saved query runs through
`timeline query OUT` (a busy actor, a median actor), and beside it through `graph.ttl` (unless
--skip-old; a dataset this large is refused by the reading commands, with the command that
builds it). Results print as Markdown tables and go to
bench/results/store.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import synth  # noqa: E402

TIMELINE = [sys.executable, "-m", "timeline"]


def run(args: list[str], timeout: float = 3600) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the largest process, and stdout of one command."""
    began = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *TIMELINE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])  # GNU time: the largest process
    return wall, peak_kb / 1024, done.stdout


def same_build(a: Path, b: Path) -> bool:
    import pyoxigraph as ox

    def triples(out: Path) -> set[Any]:
        store = ox.Store.read_only(str(out / "store"))
        return set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    return all(
        (a / f).read_bytes() == (b / f).read_bytes() for f in ("graph.ttl", "view.html")
    ) and triples(a) == triples(b)


def builds(n: int, work: Path, edits: list[str], compare: bool) -> dict[str, Any]:
    data = work / "data"
    synth.write(n, data, seed=0, per_file=1000)
    out, fresh = work / "out", work / "fresh"
    rows: dict[str, Any] = {}
    wall, rss, _ = run(
        ["build", str(data), "-o", str(work / "nocache"), "--ner", "gazetteer", "--no-cache"]
    )
    rows["full build, no cache"] = {"s": wall, "mb": rss}
    shutil.rmtree(work / "nocache")
    wall, rss, _ = run(["build", str(data), "-o", str(out), "--ner", "gazetteer"])
    rows["first build (cache in OUT)"] = {"s": wall, "mb": rss}
    full = wall
    wall, rss, _ = run(["build", str(data), "-o", str(out), "--ner", "gazetteer"])
    rows["no change"] = {"s": wall, "mb": rss, "pct": 100 * wall / full}
    for kind in edits:
        synth.edit(data, kind)
        wall, rss, text = run(["build", str(data), "-o", str(out), "--ner", "gazetteer"])
        row = rows[f"one {kind} edit"] = {
            "s": wall,
            "mb": rss,
            "pct": 100 * wall / full,
            "store": "updated" if "store updated" in text else "loaded",
        }
        if compare:
            run(["build", str(data), "-o", str(fresh), "--ner", "gazetteer", "--no-cache"])
            row["identical"] = same_build(out, fresh)
            shutil.rmtree(fresh)
        print(f"  {n:,}: {kind}: {wall:.2f} s", file=sys.stderr)
    return rows


def queries(n: int, work: Path, skip_old: bool, analysis: bool = True) -> dict[str, Any]:
    from timeline.query import saved_queries

    out = work / "out"
    counts = run(["query", str(out), "actors", "--format", "csv"])[2].splitlines()[1:]
    by_events = sorted((int(line.rsplit(",", 1)[1]), line.split(",", 1)[0]) for line in counts)
    busy, median = by_events[-1], by_events[len(by_events) // 2]
    events = run(["query", str(out), "events-between", "--format", "csv", "-p", "from=2020-01-01"])[
        2
    ].splitlines()
    event = events[1].split(",")[3]
    params = {
        "actor": [busy[1], median[1]],
        "event": [event],
        "fact": [event],
        "from": ["2020-01-01"],
        "to": ["2020-12-31"],
    }
    rows: dict[str, Any] = {}
    sources = {"build folder": str(out)}
    if not skip_old:
        sources["graph.ttl"] = str(out / "graph.ttl")
    for name, saved in saved_queries().items():
        declared = [p for p in saved.params if p.required]
        cases = (
            [[]]
            if not declared
            else [[f"{p.name}={v}" for p in declared] for v in params[declared[0].name]]
        )
        if name == "events-between":
            cases = [["from=2020-01-01", "to=2020-12-31"]]
        for case in cases:
            label = name + (f" ({case[0].split('=', 1)[1]})" if case and "actor" in case[0] else "")
            for where, path in sources.items():
                args = ["query", path, name, "--format", "csv", "--timeout", "600"]
                for p in case:
                    args += ["-p", p]
                wall, rss, text = run(args)
                rows.setdefault(label, {})[where] = {
                    "s": wall,
                    "mb": rss,
                    "rows": len(text.splitlines()) - 1,
                }
        print(f"  {n:,}: {name}", file=sys.stderr)
    if not analysis:
        return rows
    for command in (
        ["actors", str(out), "--limit", "10"],
        ["relations", str(out), busy[1]],
        ["path", str(out), busy[1], median[1]],
    ):
        wall, rss, _ = run([*command, "--format", "csv"])
        label = f"`timeline {command[0]} OUT` (analysis, reads the build's dataset copy)"
        rows.setdefault(label, {})["build folder"] = {"s": wall, "mb": rss}
    return rows


def serve_first_answer(work: Path) -> float:
    """Seconds from starting `timeline serve OUT` to its first answered query."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    began = time.perf_counter()
    proc = subprocess.Popen(
        [*TIMELINE, "serve", str(work / "out"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/queries/actors?format=csv"
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    r.read()
                return time.perf_counter() - began
            except OSError:
                if time.perf_counter() - began > 120:
                    raise
                time.sleep(0.02)
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument(
        "--skip-old",
        action="store_true",
        help="leave out the .ttl and dataset paths (minutes at 100k)",
    )
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument(
        "--edits", default=",".join(synth.EDITS), help="kinds of edit, comma-separated"
    )
    parser.add_argument(
        "--no-compare", action="store_true", help="do not build each edit afresh to compare"
    )
    parser.add_argument(
        "--no-analysis",
        action="store_true",
        help="leave out actors, relations and path (centrality over 5,000 actors takes minutes)",
    )
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for n in args.sizes:
        work = Path(args.work or tempfile.mkdtemp(prefix="bench-store-")) / str(n)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        results[str(n)] = {
            "builds": builds(n, work, args.edits.split(","), not args.no_compare),
            "queries": queries(n, work, args.skip_old, not args.no_analysis),
            "serve first answer s": serve_first_answer(work),
        }
        _print(n, results[str(n)])
        target = ROOT / "results" / "store.json"
        target.parent.mkdir(exist_ok=True)
        known = json.loads(target.read_text()) if target.exists() else {}
        known.update(results)
        target.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")


def _print(n: int, r: dict[str, Any]) -> None:
    print(
        f"\n### {n:,} events\n\n| build | wall s | peak MB | % of first build | store | "
        "identical to a fresh build |\n|---|---|---|---|---|---|"
    )
    for step, v in r["builds"].items():
        pct = f"{v['pct']:.0f}%" if "pct" in v else ""
        same = {True: "yes", False: "NO"}.get(v.get("identical"), "")
        print(f"| {step} | {v['s']:.2f} | {v['mb']:.0f} | {pct} | {v.get('store', '')} | {same} |")
    wheres = sorted({w for v in r["queries"].values() for w in v})
    print(f"\n| query | {' | '.join(f'{w} s (MB)' for w in wheres)} | rows |")
    print("|---|" + "---|" * len(wheres) + "---|")
    for label, v in r["queries"].items():
        cells = [f"{v[w]['s']:.2f} ({v[w]['mb']:.0f})" if w in v else "" for w in wheres]
        rows = next((x["rows"] for x in v.values() if "rows" in x), "")
        print(f"| {label} | {' | '.join(cells)} | {rows} |")
    print(f"\n`timeline serve OUT`: first answer {r['serve first answer s']:.2f} s after start")


if __name__ == "__main__":
    main()
