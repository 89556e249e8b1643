"""Time each export format, and a push to a local Oxigraph server, on a synthetic dataset.

    .venv/bin/python bench/bench_export.py 2000          # events; prints a Markdown table

Rendering only (the build is made once, outside the timings); median of 3 runs; one push.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import generate  # noqa: E402
from timeline.export.formats import FORMATS, render  # noqa: E402
from timeline.export.rdf import serialize, to_rdf  # noqa: E402
from timeline.pipeline import make_build  # noqa: E402
from timeline.push import upload  # noqa: E402


def timed(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("events", type=int, nargs="?", default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "events.yaml"
        data.write_text(generate(args.events, seed=0))
        build = make_build(data)
        rdf = to_rdf(build)
        print(f"{args.events} events: {build.dataset.summary()}, {len(rdf)} triples\n")
        print("| format | seconds | bytes |\n|---|---|---|")
        for fmt in FORMATS:
            seconds, out = timed(lambda fmt=fmt: render(build, fmt))
            print(f"| {fmt} | {seconds:.2f} | {len(out):,} |")  # type: ignore[arg-type]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "oxigraph"),
                "serve",
                "--location",
                str(Path(tmp) / "store"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"})
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            body = serialize(rdf, "ntriples")
            seconds, _ = timed(
                lambda: upload(body, f"http://127.0.0.1:{port}/store", "urn:g", timeout=600), runs=1
            )
            print(f"| push (PUT to Oxigraph) | {seconds:.2f} | {len(body):,} |")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
