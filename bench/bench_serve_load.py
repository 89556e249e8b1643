"""`timeline serve` under load: concurrent clients sending saved and inline queries for a while.

    .venv/bin/python bench/bench_serve_load.py --clients 50 --seconds 60
    .venv/bin/python bench/bench_serve_load.py --clients 50 --seconds 60 --events 10000

`timeline serve` runs as its own process on 127.0.0.1 over a build folder (the shipped data, or
`bench/synth.py N`). Each client is a thread with its own keep-alive connection that sends, in
turn, the saved queries (with their parameters) and a few inline queries, as fast as the answers
come, for the given time; beside them, `--silent` connections are opened and send nothing (they
must not stop the others). Every answer's status is counted and every latency kept; the p50,
p90 and p99 latencies, the answers per second and any status other than 200 are printed and
written to bench/results/serve_load.json. Bounded: it stops after `--seconds`, on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
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


def client(url: str, plan: list[tuple[str, dict[str, str]]], until: float, out: list[Any]) -> None:
    seen: list[tuple[int, float]] = []
    with httpx.Client(timeout=60, headers={"Accept": "text/csv"}) as http:
        i = 0
        while time.perf_counter() < until:
            path, params = plan[i % len(plan)]
            i += 1
            began = time.perf_counter()
            try:
                status = http.get(url + path, params=params).status_code
            except httpx.HTTPError:
                status = 0
            seen.append((status, time.perf_counter() - began))
    out.extend(seen)


def run(data_out: Path, clients: int, seconds: float, silent: int) -> dict[str, Any]:
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
        quiet = [socket.create_connection(("127.0.0.1", port)) for _ in range(silent)]
        results: list[tuple[int, float]] = []
        until = time.perf_counter() + seconds
        threads = [
            threading.Thread(target=client, args=(url, plan[i:] + plan[:i], until, results))
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
        result = run(out, args.clients, args.seconds, args.silent)
    label = f"{args.events or 'shipped'}"
    print(json.dumps({label: result}, indent=1))
    target = ROOT / "results" / "serve_load.json"
    target.parent.mkdir(exist_ok=True)
    found = json.loads(target.read_text()) if target.exists() else {}
    found[label] = result
    target.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
