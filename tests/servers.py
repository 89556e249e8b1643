"""Real servers for the network tests: an Oxigraph server on 127.0.0.1, and a free port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    assert found, "the oxigraph server binary (PyPI 'oxigraph', a test extra) is not installed"
    return found


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """A real Oxigraph server on 127.0.0.1 over a store at `location`; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # up to 20 s; it usually answers within 0.1 s
            if proc.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {proc.stderr.read().decode()}")
            try:
                httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("oxigraph did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()
