"""The SPARQL endpoint against hostile clients, over real HTTP: every way of sending an update is
refused and the graph stays whole, queries have a time limit and a result size limit, malformed
requests get 400 (never a dropped connection or a traceback), and it listens on loopback only.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from timeline.query import open_graph
from timeline.serve import make_server

MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`timeline serve` with its defaults (but a free port and a short time limit)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "timeline.cli", "serve", str(MINI), "--port", "0", "--timeout", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"view at (http://127\.0\.0\.1:\d+/);", line)
    assert m, line
    yield m.group(1), proc
    proc.terminate()
    _, stderr = proc.communicate(timeout=10)
    # Whatever the clients sent, the server never printed a traceback.
    assert "Traceback" not in stderr


def triples(url: str) -> int:
    r = httpx.get(url + "sparql", params={"query": COUNT})
    assert r.status_code == 200
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def raw(url: str, request: bytes) -> bytes:
    """Send bytes as they are (no client library tidying them up); return the whole answer."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request.replace(b"HOST", f"{host}:{port}".encode()))
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


UPDATE = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"


@pytest.mark.server
@pytest.mark.parametrize(
    "how",
    [
        "post-query-update-body",
        "post-query-update-form",
        "post-sparql-update-type",
        "post-update-form",
        "post-update-body",
        "get-query-update",
        "get-update-param",
        "update-hidden-after-comment",
        "load-from-the-network",
        "drop-in-form-with-query",
    ],
)
def test_every_way_of_sending_an_update_is_refused(served, how: str):
    url, _ = served
    before = triples(url)
    update_type = {"Content-Type": "application/sparql-update"}
    query_type = {"Content-Type": "application/sparql-query"}
    r = {
        "post-query-update-body": lambda: httpx.post(
            url + "query", content=UPDATE, headers=query_type
        ),
        "post-query-update-form": lambda: httpx.post(url + "query", data={"update": UPDATE}),
        "post-sparql-update-type": lambda: httpx.post(
            url + "sparql", content=UPDATE, headers=update_type
        ),
        "post-update-form": lambda: httpx.post(url + "update", data={"update": UPDATE}),
        "post-update-body": lambda: httpx.post(url + "update", content=UPDATE, headers=update_type),
        "get-query-update": lambda: httpx.get(url + "sparql", params={"query": UPDATE}),
        "get-update-param": lambda: httpx.get(url + "sparql", params={"update": UPDATE}),
        "update-hidden-after-comment": lambda: httpx.get(
            url + "sparql",
            params={"query": "# SELECT * WHERE { ?s ?p ?o }\nDELETE WHERE { ?s ?p ?o }"},
        ),
        "load-from-the-network": lambda: httpx.post(
            url + "sparql", data={"update": "LOAD <http://example.org/x.ttl>"}
        ),
        "drop-in-form-with-query": lambda: httpx.post(
            url + "sparql", data={"query": "SELECT * { ?s ?p ?o }", "update": "DROP ALL"}
        ),
    }[how]()
    assert r.status_code == 403, (r.status_code, r.text)
    assert "read-only" in r.text or "is an update" in r.text
    assert triples(url) == before


@pytest.mark.server
def test_saved_query_parameters_cannot_inject(served):
    url, _ = served
    before = triples(url)
    r = httpx.get(
        url + "queries/actor-events", params={"actor": "maduro> } ; DROP ALL ; SELECT * { <a:b"}
    )
    assert r.status_code == 400
    assert triples(url) == before


@pytest.mark.server
def test_time_limit_answers_503_and_the_server_keeps_serving(served):
    url, _ = served
    r = httpx.get(url + "sparql", params={"query": SLOW}, timeout=60)
    assert r.status_code == 503
    assert "past the time limit of 1 s" in r.text
    assert triples(url) > 100


@pytest.mark.server
@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (
            b"POST /sparql HTTP/1.1\r\nHost: HOST\r\nContent-Length: abc\r\n"
            b"Content-Type: application/sparql-query\r\n\r\nSELECT",
            b"400",
        ),
        (
            b"POST /sparql HTTP/1.1\r\nHost: HOST\r\nContent-Length: -5\r\n"
            b"Content-Type: application/sparql-query\r\n\r\nSELECT * {}",
            b"400",
        ),
        # An unparsable request line is answered the HTTP/0.9 way: the error page, no status line.
        (b"GET /sparql HTTP/1.x\r\n\r\n", b"Error code: 400"),
        (b"GET /sparql?query=%ff%fe%00 HTTP/1.1\r\nHost: HOST\r\n\r\n", b"400"),
        (b"GET /sparql?query= HTTP/1.1\r\nHost: HOST\r\n\r\n", b"400"),
        (b"GET /sparql HTTP/1.1\r\nHost: HOST\r\n\r\n", b"400"),
        (
            b"POST /sparql HTTP/1.1\r\nHost: HOST\r\nContent-Length: 7\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nquery=%",
            b"400",
        ),
        (
            b"POST /sparql HTTP/1.1\r\nHost: HOST\r\nContent-Length: 4\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nq=%z",
            b"400",
        ),
        (b"GET /sparql?query=SELECT%20*%20%7B%20%3Fs HTTP/1.1\r\nHost: HOST\r\n\r\n", b"400"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: HOST\r\n\r\n", b"414"),
    ],
)
def test_malformed_requests_get_4xx_not_a_dropped_connection(served, request_bytes, status):
    url, _ = served
    answer = raw(url, request_bytes)
    if status.isdigit():
        assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == status, answer[:300]
    else:
        assert status in answer, answer[:300]
    assert triples(url) > 100  # and the server is still up


@pytest.mark.server
def test_result_size_limit():
    engine = open_graph(MINI)
    server = make_server(engine, port=0, timeout=30, max_result=20_000)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        r = httpx.get(server.url + "sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert r.status_code == 400
        assert r.text.startswith("the result is larger than this endpoint's limit of 20000 bytes")
        r = httpx.get(server.url + "sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 5"})
        assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 5
    finally:
        server.shutdown()
        server.server_close()


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the listening TCP sockets on `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


@pytest.mark.server
def test_listens_on_loopback_only_by_default(served):
    url, _ = served
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    assert listening_addresses(port) == ["0100007F"]  # 127.0.0.1, little-endian hex
