"""The benchmark: wall time and peak RSS per pipeline stage for N = 1k, 10k, 100k events.

    .venv/bin/python bench/run.py                       # N = 1000, 10000, 100000
    .venv/bin/python bench/run.py --sizes 1000,10000    # a quicker run

Each N runs in fresh subprocesses, so one size's memory never inflates the next. The pipeline
runs stage by stage in one process, as `timeline build` does (load+validate, extract+link, RDF,
serialize, HTML; then the networkx graph and a query, which build does not need); its peak RSS
column is the process's high-water mark at the end of that stage (it can only grow; forked
workers, which share most of its pages, are reported apart in run.json). `timeline build` itself
is then run and timed end to end. Each raw baseline runs in a process of its own, on the same
file and texts: libyaml's parse (`yaml.load` with `CSafeLoader`), raw `nlp.pipe` with the very
pipeline extraction uses, and rdflib against pyoxigraph on the Turtle the pipeline wrote.
Stages whose code does not exist yet print "n/a (not built yet)". Results are printed as a
Markdown table and saved to bench/results/run.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
NOT_BUILT = "n/a (not built yet)"
STAGES = ["load+validate", "extract+link", "RDF", "serialize", "HTML", "graph", "query"]
BASELINES = [
    "libyaml parse (yaml.load, CSafeLoader)",
    "libyaml parse, GC off",
    "raw nlp.pipe (same pipeline)",
    "raw nlp.pipe, n_process=2",
    "rdflib: load Turtle",
    "pyoxigraph: load Turtle",
    "rdflib: SPARQL GROUP BY",
    "pyoxigraph: SPARQL GROUP BY",
    "rdflib: write Turtle",
    "pyoxigraph: write Turtle",
]
CLI_STAGE = "timeline build (CLI, end to end)"
RDFLIB_MAX_EVENTS = 20_000
"""rdflib holds about 1 KB per triple: 100k events (12M triples) would need 12 GB here."""
GROUP_BY = """PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e sem:eventType ?type } GROUP BY ?type ORDER BY ?type"""


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Times named steps and prints each as one JSON line on stdout for the parent to read."""

    @contextmanager
    def step(self, name: str, **extra: Any) -> Iterator[dict[str, Any]]:
        row: dict[str, Any] = {"stage": name, **extra}
        start = time.perf_counter()
        yield row
        row["seconds"] = time.perf_counter() - start
        row["rss_mb"] = peak_rss_mb()
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if workers:  # forked extraction or Turtle workers (they share most pages with us)
            row["worker_rss_mb"] = workers
        print(json.dumps(row), flush=True)

    def missing(self, name: str) -> None:
        print(json.dumps({"stage": name, "note": NOT_BUILT}), flush=True)


# --- workers: each runs in its own process ------------------------------------------------


def worker_pipeline(path: Path, out: Path) -> None:
    """Every stage, in order, in this one process."""
    from timeline.load import read_dataset

    rec = Recorder()
    with rec.step("load+validate"):
        dataset = read_dataset(path)
    mentions: list[Any] = []
    pipeline = ""
    try:
        from timeline.extract import auto_jobs
        from timeline.link import extract_mentions
    except ImportError:
        rec.missing("extract+link")
    else:
        # As `timeline build` runs it: spans are linked while they are found (the second
        # process's share as it comes back), so the two are timed as one stage.
        with rec.step("extract+link", note="gazetteer, pipeline setup included") as row:
            row["words"] = words = sum(e.text.count(" ") + 1 for e in dataset.events)
            row["jobs"] = auto_jobs(words)
            mentions, pipeline = extract_mentions(dataset, "gazetteer")
            row["mentions"] = len(mentions)
    from timeline.graph import Build, build_graph

    build = Build(dataset, mentions=mentions, pipeline=pipeline)
    from timeline.atomic import atomic_write
    from timeline.export.rdf import (
        Lines,
        chunked,
        plan,
        turtle_jobs,
        turtle_pieces,
    )

    # As `timeline build` does it: the Turtle of each chunk of blocks made from the models,
    # streamed into the (temporary, then renamed) file and dropped.
    with rec.step("RDF", note="plan: sorted blocks; their triples are made in serialize"):
        chunks = chunked(plan(build, render=Lines.turtle))
    with rec.step("serialize", note="Turtle, streamed to the file") as row:
        row["jobs"] = jobs = turtle_jobs(len(dataset.events))
        atomic_write(out, turtle_pieces(chunks, None, jobs))
        row["bytes"] = out.stat().st_size
    del chunks
    try:
        from timeline.export.html import render_view
    except ImportError:
        rec.missing("HTML")
    else:
        with rec.step("HTML") as row:
            row["bytes"] = len(render_view(build))
    with rec.step("graph", note="networkx, for GEXF/GraphML and analysis; build does not make it"):
        graph = build_graph(dataset, mentions)
    try:
        import pyoxigraph as ox

        from timeline.query import Engine, saved_query
    except ImportError:
        rec.missing("query")
    else:
        with rec.step("query", note="load store + 2 saved queries") as row:
            store = ox.Store()
            store.load(path=str(out), format=ox.RdfFormat.TURTLE)
            row["triples"] = len(store)
            engine = Engine(store, "https://example.org/timeline/")
            busiest = max(dataset.actors, key=lambda a: graph.in_degree(f"actor:{a.id}"))
            rows = 0
            for name, params in (("co-participation", {}), ("actor-events", {"actor": busiest.id})):
                saved = saved_query(name)
                answer = engine.run(saved.text, params, declared=saved.params, timeout=None)
                rows += len(answer.cells())
            row["rows"] = rows


def worker_yaml(path: Path) -> None:
    """libyaml's own parse of the same bytes: the floor for load+validate."""
    import yaml

    rec = Recorder()
    data = path.read_bytes()
    with rec.step(BASELINES[0]):
        yaml.load(data, Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    gc.disable()
    with rec.step(BASELINES[1]):
        yaml.load(data, Loader=yaml.CSafeLoader)  # noqa: S506


def worker_nlp(path: Path, n_process: int) -> None:
    """The extraction pipeline's own nlp.pipe over the same texts, docs dropped at once."""
    try:
        from timeline.extract import Gazetteer, get_extractor
    except ImportError:
        Recorder().missing(BASELINES[2 if n_process == 1 else 3])
        return
    from timeline.load import read_dataset

    dataset = read_dataset(path)
    texts = [e.text for e in dataset.events]
    nlp = get_extractor(Gazetteer.from_dataset(dataset), "gazetteer").nlp
    del dataset
    rec = Recorder()
    with rec.step(BASELINES[2 if n_process == 1 else 3], note="setup excluded"):
        for _doc in nlp.pipe(texts, batch_size=256, n_process=n_process):
            pass


def worker_engine(turtle: Path, engine: str) -> None:
    """Load, query and write the pipeline's Turtle with rdflib or pyoxigraph."""
    rec = Recorder()
    if engine == "rdflib":
        from rdflib import Graph

        g = Graph()
        with rec.step("rdflib: load Turtle"):
            g.parse(turtle, format="turtle")
        with rec.step("rdflib: SPARQL GROUP BY"):
            list(g.query(GROUP_BY))
        with rec.step("rdflib: write Turtle"):
            g.serialize(format="turtle", encoding="utf-8")
    else:
        import pyoxigraph as ox

        store = ox.Store()
        with rec.step("pyoxigraph: load Turtle"):
            store.load(path=str(turtle), format=ox.RdfFormat.TURTLE)
        with rec.step("pyoxigraph: SPARQL GROUP BY"):
            list(store.query(GROUP_BY))  # type: ignore[arg-type]
        with rec.step("pyoxigraph: write Turtle"):
            store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())


# --- the parent: datasets, subprocesses, the table ----------------------------------------


def dataset_file(n: int, seed: int, workdir: Path) -> Path:
    """The synthetic dataset for `n` events, generated once and reused."""
    path = workdir / f"events-{n}-seed{seed}.yaml"
    if not path.exists():
        sys.path.insert(0, str(ROOT))
        import synth

        tmp = path.with_suffix(".tmp")
        tmp.write_text(synth.generate(n, seed), encoding="utf-8")
        os.replace(tmp, path)
    return path


def run_worker(
    args: list[str], timeout: float, expect: list[str], say: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Run one worker; rows it did not reach are reported as failed or timed out."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    rows: list[dict[str, Any]] = []
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        stdout, failed = done.stdout, done.returncode != 0
        problem = done.stderr.strip().splitlines()[-1:] if failed else []
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        failed, problem = True, [f"timed out after {timeout:.0f} s"]
    for line in stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            rows.append(row)
            say(format_row(row))
    if failed:
        seen = {r["stage"] for r in rows}
        for name in expect:
            if name not in seen:
                rows.append({"stage": name, "note": f"failed: {' '.join(problem)}"[:80]})
                say(format_row(rows[-1]))
    return rows


def run_cli(path: Path, out: Path, timeout: float, say: Callable[[str], None]) -> dict[str, Any]:
    """`timeline build PATH -o OUT --ner gazetteer` as a user runs it: wall time from start to
    exit, and the peak RSS of the command (and of its largest forked worker)."""
    name = CLI_STAGE
    exe = Path(sys.executable).with_name("timeline")
    cmd = [str(exe), "build", str(path), "-o", str(out), "--ner", "gazetteer"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except KeyboardInterrupt:
        proc.kill()
        raise
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or seconds > timeout:
        problem = (
            proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
        )[-1:]
        row: dict[str, Any] = {"stage": name, "note": f"failed: {' '.join(problem)}"[:80]}
    else:
        row = {
            "stage": name,
            "seconds": seconds,
            "rss_mb": usage.ru_maxrss / 1024,
            "note": "wall time, all outputs (Turtle + HTML view)",
        }
    say(format_row(row))
    return row


def format_row(row: dict[str, Any]) -> str:
    if "seconds" not in row:
        return f"  {row['stage']:<42} {row.get('note', '')}"
    return f"  {row['stage']:<42} {row['seconds']:8.2f} s {row['rss_mb']:8.0f} MB"


def cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "-"
    if "seconds" not in row:
        return str(row.get("note", "-"))
    return f"{row['seconds']:.2f} s / {row['rss_mb']:.0f} MB"


def markdown(results: dict[int, dict[str, Any]]) -> str:
    sizes = sorted(results)
    head = "| stage | " + " | ".join(f"N = {n:,}" for n in sizes) + " |"
    lines = [head, "|---" * (len(sizes) + 1) + "|"]

    def add(name: str) -> None:
        cells = [cell(results[n]["rows"].get(name)) for n in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    for name in STAGES:
        add(name)
    totals = []
    for n in sizes:
        rows = results[n]["rows"]
        core = [rows.get(s) for s in ("load+validate", "extract+link", "RDF", "serialize")]
        known = [r for r in core if r and "seconds" in r]
        total = sum(r["seconds"] for r in known)
        peak = max((r["rss_mb"] for r in known), default=0)
        partial = "" if len(known) == len(core) else " (partial)"
        totals.append(f"**{total:.1f} s / {peak:.0f} MB**{partial}")
    lines.append(
        "| validate + extract + RDF graph + Turtle (load+validate, extract+link, RDF, "
        "serialize) | " + " | ".join(totals) + " |"
    )
    add(CLI_STAGE)
    lines.append("| *raw baselines* |" + " |" * len(sizes))
    for name in BASELINES:
        add(name)
    lines.append("| *ratios* |" + " |" * len(sizes))
    for label, num, den in (
        ("load+validate / libyaml parse", "load+validate", BASELINES[0]),
        ("load+validate / libyaml parse, GC off", "load+validate", BASELINES[1]),
        ("extract+link (auto jobs) / raw nlp.pipe (1 process)", "extract+link", BASELINES[2]),
    ):
        cells = []
        for n in sizes:
            a, b = results[n]["rows"].get(num), results[n]["rows"].get(den)
            ok = a and b and "seconds" in a and "seconds" in b and b["seconds"] > 0
            cells.append(f"{a['seconds'] / b['seconds']:.2f}x" if ok else "-")  # type: ignore[index]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    facts = []
    for n in sizes:
        r = results[n]
        facts.append(
            f"N = {n:,}: {r['mb']:.1f} MB of YAML, "
            f"{r['rows'].get('query', {}).get('triples', '?'):,} triples"
            if isinstance(r["rows"].get("query", {}).get("triples"), int)
            else f"N = {n:,}: {r['mb']:.1f} MB of YAML"
        )
    return "\n".join(lines) + "\n\n" + "; ".join(facts) + "."


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(
        description="Benchmark every pipeline stage and the raw baselines.",
        epilog="Example: .venv/bin/python bench/run.py --sizes 1000,10000",
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="comma-separated event counts (default 1000,10000,100000)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/timeline-bench"),
        help="where datasets and Turtle files are kept between runs",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds before one worker process is given up (default 1800)",
    )
    parser.add_argument("--no-baselines", action="store_true", help="pipeline stages only")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        if kind == "pipeline":
            worker_pipeline(Path(rest[0]), Path(rest[1]))
        elif kind == "yaml":
            worker_yaml(Path(rest[0]))
        elif kind == "nlp":
            worker_nlp(Path(rest[0]), int(rest[1]))
        elif kind == "engine":
            worker_engine(Path(rest[0]), rest[1])
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results: dict[int, dict[str, Any]] = {}
    for n in sizes:
        path = dataset_file(n, args.seed, args.workdir)
        mb = path.stat().st_size / 1e6
        say(f"N = {n:,} events ({path}, {mb:.1f} MB)")
        turtle = args.workdir / f"graph-{n}-seed{args.seed}.ttl"
        rows = run_worker(["pipeline", str(path), str(turtle)], args.timeout, STAGES, say)
        rows.append(run_cli(path, args.workdir / f"out-{n}", args.timeout, say))
        if not args.no_baselines:
            rows += run_worker(["yaml", str(path)], args.timeout, BASELINES[:2], say)
            rows += run_worker(["nlp", str(path), "1"], args.timeout, BASELINES[2:3], say)
            rows += run_worker(["nlp", str(path), "2"], args.timeout, BASELINES[3:4], say)
            if turtle.exists() and n > RDFLIB_MAX_EVENTS:
                for b in BASELINES:
                    if b.startswith("rdflib"):
                        rows.append({"stage": b, "note": "skipped: ~1 KB per triple in rdflib"})
            elif turtle.exists():
                # rdflib's Turtle writer did not finish 10k events in 6 minutes: capped
                rows += run_worker(
                    ["engine", str(turtle), "rdflib"],
                    min(args.timeout, 300),
                    [b for b in BASELINES if b.startswith("rdflib")],
                    say,
                )
                rows += run_worker(
                    ["engine", str(turtle), "pyoxigraph"],
                    args.timeout,
                    [b for b in BASELINES if b.startswith("pyoxigraph")],
                    say,
                )
        results[n] = {"mb": mb, "rows": {r["stage"]: r for r in rows}}
    table = markdown(results)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print(table)
    out = ROOT / "results" / "run.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({str(n): r for n, r in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
