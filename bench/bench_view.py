"""Benchmark the interactive view on large synthetic graphs: file size, render time, and the time
until the page is interactive in headless Chromium (physics settled and stopped).

    .venv/bin/python bench/bench_view.py               # 2,000 and 10,000 nodes
    .venv/bin/python bench/bench_view.py --nodes 2000 --full-timeout 300
    .venv/bin/python bench/bench_view.py --shipped --nodes 10000 --no-full   # the #16 targets

For each size it measures the default page (aggregated above `MAX_NODES`) and the full,
unaggregated page, which is what the threshold protects against; a full page that is not
interactive within --full-timeout seconds is reported as such. Results are printed as a table and
written to bench/results/view.json (gitignored).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_args

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def synthetic_dataset(nodes: int, seed: int = 1) -> Any:
    """A valid dataset of about `nodes` actors plus events: a few hubs, many minor actors."""
    from timeline.models import ActorKind, Dataset, EventType

    rng = random.Random(seed)
    kinds = [k for k in get_args(ActorKind) if k != "group"]
    types = list(get_args(EventType))
    n_actors = max(2, nodes // 5)
    n_events = max(1, nodes - n_actors)
    actors = [
        {
            "id": f"actor-{i}",
            "name": f"Actor {i}",
            "kind": kinds[i % len(kinds)],
            "aliases": [f"A{i}"],
        }
        for i in range(n_actors)
    ]
    start = date(2024, 1, 1)
    events = []
    for i in range(n_events):
        day = start + timedelta(days=rng.randrange(730))
        when = day.isoformat() if i % 4 else day.isoformat()[:7]
        # Zipf-like choice: low ids are hubs, as in news (a few actors are in most stories).
        chosen = sorted({int(n_actors * rng.random() ** 3) for _ in range(rng.randint(2, 4))})
        events.append(
            {
                "id": f"event-{i}",
                "title": f"Event {i}",
                "date": when,
                "type": types[rng.randrange(len(types))],
                "summary": f"Summary of event {i}.",
                "participants": [{"actor": f"actor-{a}", "role": "participant"} for a in chosen],
                "sources": ["s"],
            }
        )
    claims = [
        {
            "id": f"claim-{i}",
            "about": f"event-{i}",
            "statement": "a count",
            "claimed_by": "actor-0",
            "value": 10,
            "sources": ["s"],
            "verifications": [
                {"by": "actor-1", "value": 7, "verdict": "disputed", "sources": ["s"]}
            ],
        }
        for i in range(0, n_events, 97)
    ]
    return Dataset.model_validate(
        {
            "dataset": {"title": f"Synthetic {nodes} nodes"},
            "sources": [{"id": "s", "title": "Synthetic source"}],
            "actors": actors,
            "events": events,
            "claims": claims,
        }
    )


def synthetic_build(nodes: int, seed: int = 1) -> Any:
    from timeline.graph import Build, build_graph

    ds = synthetic_dataset(nodes, seed)
    return Build(ds, build_graph(ds))


def time_to_interactive(path: Path, timeout_s: float) -> float | None:
    """Seconds from navigation until window.timelineView.ready, or None after `timeout_s`."""
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = ctx.new_page()
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            t0 = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
            while time.perf_counter() - t0 < timeout_s:
                try:
                    if page.evaluate(
                        "() => Boolean(window.timelineView && window.timelineView.ready)"
                    ):
                        return time.perf_counter() - t0
                except Exception:  # the page may still be navigating  # noqa: BLE001
                    pass
                time.sleep(0.02)
            return None
        finally:
            ctx.close()


def measure(nodes: int, full: bool, full_timeout: float) -> dict[str, Any]:
    from timeline.export.html import MAX_NODES, render_view

    b = synthetic_build(nodes)
    t0 = time.perf_counter()
    page = render_view(b, max_nodes=10**9 if full else MAX_NODES)
    render_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "view.html"
        path.write_bytes(page)
        tti = time_to_interactive(path, full_timeout if full else 120)
    return {
        "nodes": nodes,
        "mode": "full" if full else "default",
        "bytes": len(page),
        "render_s": round(render_s, 2),
        "interactive_s": None if tti is None else round(tti, 2),
        "aggregated": b'"aggregated":true' in page,
    }


def measure_shipped() -> dict[str, Any]:
    """The shipped data as `timeline build` makes it (gazetteer-linked mentions included)."""
    from timeline.export.html import render_view
    from timeline.source import make_build

    b = make_build(ROOT / "data" / "events.yaml", ner="gazetteer")
    t0 = time.perf_counter()
    page = render_view(b)
    render_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "view.html"
        path.write_bytes(page)
        tti = time_to_interactive(path, 60)
    return {
        "nodes": "shipped",
        "mode": "default",
        "bytes": len(page),
        "render_s": round(render_s, 2),
        "interactive_s": None if tti is None else round(tti, 2),
        "aggregated": False,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="*", default=[2000, 10000])
    ap.add_argument(
        "--no-full", action="store_true", help="measure only the default (aggregated) pages"
    )
    ap.add_argument(
        "--shipped",
        action="store_true",
        help="also measure the shipped data (data/events.yaml, as `timeline build` links it)",
    )
    ap.add_argument(
        "--full-timeout",
        type=float,
        default=180.0,
        help="give up on a full (unaggregated) page after this many seconds",
    )
    args = ap.parse_args()
    rows = []
    if args.shipped:
        rows.append(measure_shipped())
        print(
            f"shipped data  {rows[-1]['bytes'] / 1e6:6.2f} MB  render {rows[-1]['render_s']:5.2f} s"
            f"  interactive after {rows[-1]['interactive_s']} s",
            flush=True,
        )
    for n in args.nodes:
        for full in (False,) if args.no_full else (False, True):
            row = measure(n, full, args.full_timeout)
            rows.append(row)
            tti = "not interactive" if row["interactive_s"] is None else f"{row['interactive_s']} s"
            print(
                f"{n:>6} nodes  {row['mode']:<7}  aggregated={str(row['aggregated']):<5}  "
                f"{row['bytes'] / 1e6:6.2f} MB  render {row['render_s']:5.2f} s  "
                f"interactive after {tti}",
                flush=True,
            )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "view.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
