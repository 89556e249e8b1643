"""`timeline serve` under load: concurrent clients sending saved and inline queries for a while.

    .venv/bin/python bench/bench_serve_load.py --clients 50 --seconds 60
    .venv/bin/python bench/bench_serve_load.py --clients 50 --seconds 60 --events 10000
    .venv/bin/python bench/bench_serve_load.py --clients 50 --seconds 60 --events 10000 --distinct

`timeline serve` runs as its own process on 127.0.0.1 over a build folder (the shipped data, or
`bench/synth.py N`). Each client is a thread with its own keep-alive connection that sends, in
turn, the saved queries (with their parameters) and a few inline queries, as fast as the answers
come, for the given time; beside them, `--silent` connections are opened and send nothing (they
must not stop the others). The endpoint keeps the answers of a build (a repeated query is not run
again), so `--distinct` makes every request a new one: each client walks through every actor and
event, the window of events-between moves a day at a time and the inline queries change their
LIMIT, so nearly no answer is asked for twice. Every answer's status is counted and every
latency kept; the p50, p90 and p99 latencies, the answers per second and any status other than
200 are printed and written to bench/results/serve_load.json. Bounded: it stops after
`--seconds`, on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import synth  # noqa: E402

INLINE = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?e a sem:Event }",
    "SELECT ?e ?t WHERE { ?e a sem:Event ; dcterms:title ?t } ORDER BY ?e LIMIT 20",
    "ASK { ?a tl:actorKind akind:person }",
]


def requests_for(actor: str, event: str) -> list[tuple[str, dict[str, str]]]:
    """(path, params) of every request a client sends, in turn."""
    saved = [
        ("queries/actor-events", {"actor": actor}),
        ("queries/actors", {}),
        ("queries/claims", {}),
        ("queries/event-actors", {"event": event}),
        ("queries/events-between", {"from": "2026-01-01", "to": "2026-01-31"}),
        ("queries/partners", {"actor": actor}),
        ("queries/sources", {"fact": event}),
    ]
    return saved + [("sparql", {"query": q}) for q in INLINE]


def distinct_requests(actors: list[str], events: list[str], client: int) -> Iterator[Any]:
    """Requests that are (nearly) never the same twice: the queries that take an actor or an
    event walk through all of them, from a place of their own for each client; the others
    change their window or LIMIT."""
    day = date(2020, 1, 1)
    for i in itertools.count(client * 7919):
        actor, event = actors[i % len(actors)], events[i % len(events)]
        first = day + timedelta(days=i % 3000)
        yield from [
            ("queries/actor-events", {"actor": actor}),
            ("queries/event-actors", {"event": event}),
            ("queries/events-between", {"from": str(first), "to": str(first + timedelta(7))}),
            ("queries/partners", {"actor": actor}),
            ("queries/sources", {"fact": event}),
            ("sparql", {"query": f"{INLINE[1].rsplit(' LIMIT', 1)[0]} LIMIT {20 + i}"}),
            ("sparql", {"query": f"ASK {{ actor:{actor} ?p ?o }}"}),
        ]


def client(url: str, plan: Iterator[Any], until: float, out: list[Any]) -> None:
    seen: list[tuple[int, float]] = []
    with httpx.Client(timeout=60, headers={"Accept": "text/csv"}) as http:
        while time.perf_counter() < until:
            path, params = next(plan)
            began = time.perf_counter()
            try:
                status = http.get(url + path, params=params).status_code
            except httpx.HTTPError:
                status = 0
            seen.append((status, time.perf_counter() - began))
    out.extend(seen)


def run(
    data_out: Path, clients: int, seconds: float, silent: int, distinct: bool = False
) -> dict[str, Any]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", str(data_out), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # the ready line
        rows = httpx.get(url + "queries/actors", headers={"Accept": "text/csv"}).text
        actor = rows.splitlines()[1].split(",")[0].rsplit("/", 1)[-1]
        listed = httpx.get(url + "queries/events-between", headers={"Accept": "text/csv"}).text
        event = listed.splitlines()[1].split(",")[3]
        plan = requests_for(actor, event)
        actors = [r.split(",")[0].rsplit("/", 1)[-1] for r in rows.splitlines()[1:]]
        events = [r.split(",")[3] for r in listed.splitlines()[1:]]
        plans = [
            distinct_requests(actors, events, i)
            if distinct
            else itertools.cycle(plan[i:] + plan[:i])
            for i in range(clients)
        ]
        quiet = [socket.create_connection(("127.0.0.1", port)) for _ in range(silent)]
        results: list[tuple[int, float]] = []
        until = time.perf_counter() + seconds
        threads = [
            threading.Thread(target=client, args=(url, plans[i], until, results))
            for i in range(clients)
        ]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        # the silent connections did not stop anyone; after them, one more answer
        after = httpx.get(url + "queries/actors").status_code
        for q in quiet:
            q.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    latencies = sorted(t for _, t in results)
    statuses = Counter(s for s, _ in results)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {
        "distinct": distinct,
        "clients": clients,
        "silent": silent,
        "seconds": round(wall, 1),
        "answers": len(results),
        "per_second": round(len(results) / wall, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p90_ms": round(1000 * pct(0.90), 1),
        "p99_ms": round(1000 * pct(0.99), 1),
        "max_ms": round(1000 * latencies[-1], 1),
        "after": after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--silent", type=int, default=5)
    parser.add_argument("--events", type=int, default=0, help="synthetic events (0: shipped)")
    parser.add_argument(
        "--distinct", action="store_true", help="every request a new one (no kept answers)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = ROOT.parent / "data" / "events.yaml"
        if args.events:
            data = work / "synth.yaml"
            synth.write(args.events, data, seed=0)
        out = work / "out"
        subprocess.run(
            [sys.executable, "-m", "timeline", "build", str(data), "-o", str(out), "--no-cache"],
            check=True,
            capture_output=True,
        )
        result = run(out, args.clients, args.seconds, args.silent, args.distinct)
    label = f"{args.events or 'shipped'}{' distinct' if args.distinct else ''}"
    print(json.dumps({label: result}, indent=1))
    target = ROOT / "results" / "serve_load.json"
    target.parent.mkdir(exist_ok=True)
    found = json.loads(target.read_text()) if target.exists() else {}
    found[label] = result
    target.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
