"""The local SPARQL endpoint, over real HTTP against a `timeline serve` process on a free port."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

VIEW = "<!doctype html><title>view</title><p>the interactive view</p>\n"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def start(data: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "timeline.cli", "serve", str(data), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"view at (http://127\.0\.0\.1:\d+/);", line)
    if not m:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"server did not start: {line!r} {proc.stderr.read()!r}")
    return proc, m.group(1)


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.communicate(timeout=10)  # waits, and closes the pipes


@pytest.fixture(scope="module")
def server(mini_path, tmp_path_factory) -> Iterator[str]:
    view = tmp_path_factory.mktemp("out") / "view.html"
    view.write_text(VIEW)
    proc, url = start(mini_path, "--view", str(view))
    yield url
    stop(proc)


def sparql(server: str) -> str:
    return server + "sparql"


PAIRS = "SELECT ?a ?b ?events WHERE { ?x a sem:Actor } LIMIT 0"
CO = (
    "SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e sem:hasActor ?x, ?y . "
    "?x dcterms:identifier ?a . ?y dcterms:identifier ?b FILTER(?a < ?b) } GROUP BY ?a ?b"
)


def test_get_returns_sparql_json_by_default(server):
    r = httpx.get(sparql(server), params={"query": CO})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    bindings = r.json()["results"]["bindings"]
    assert [(b["a"]["value"], b["b"]["value"], b["n"]["value"]) for b in bindings] == [
        ("nicolas-maduro", "us-forces", "1")
    ]


def test_post_form_and_direct_query_bodies(server):
    r = httpx.post(sparql(server), data={"query": "ASK { ?e a sem:Event }"})
    assert r.status_code == 200 and r.json() == {"head": {}, "boolean": True}
    r = httpx.post(
        sparql(server),
        content=CO.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert list(csv.reader(io.StringIO(r.text))) == [
        ["a", "b", "n"],
        ["nicolas-maduro", "us-forces", "1"],
    ]


@pytest.mark.parametrize(
    ("accept", "media", "start"),
    [
        ("text/csv", "text/csv; charset=utf-8", "a,b,n\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "?a\t?b\t?n\n"),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml; charset=utf-8",
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        ),
        (
            "text/html;q=0.9, text/csv;q=0.5, application/sparql-results+json;q=0.8",
            "application/sparql-results+json; charset=utf-8",
            '{"head":{"vars":["a","b","n"]}',
        ),
    ],
)
def test_content_negotiation_for_tables(server, accept, media, start):
    r = httpx.get(sparql(server), params={"query": CO}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    assert r.text.startswith(start)


def test_construct_answers_in_rdf_and_406_when_nothing_fits(server):
    q = "CONSTRUCT { ?a rdfs:label ?n } WHERE { ?a a sem:Place ; rdfs:label ?n }"
    r = httpx.get(sparql(server), params={"query": q}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert r.text == (
        "<https://example.org/timeline/actor/caracas> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Caracas" .\n'
    )
    r = httpx.get(sparql(server), params={"query": q}, headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = httpx.get(sparql(server), params={"query": q}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    assert "cannot answer a graph query in 'text/csv'" in r.text
    r = httpx.get(sparql(server), params={"query": CO, "format": "tsv"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")


def test_saved_queries_bind_their_parameters(server):
    r = httpx.get(server + "queries")
    assert {q["name"] for q in r.json()} >= {"actor-events", "sources"}
    r = httpx.get(server + "queries/actor-events", params={"actor": "Maduro", "format": "csv"})
    assert r.status_code == 200
    assert r.text.splitlines()[1] == (
        "https://example.org/timeline/actor/nicolas-maduro,"
        "3 Jan 2026,capture,US forces capture Maduro in Caracas,"
        "target"
    )
    r = httpx.get(server + "queries/actor-events", params={"actor": '"} ?s ?p ?o {"'})
    assert r.status_code == 400
    assert r.text.startswith("parameter 'actor': no actor")
    assert httpx.get(server + "queries/nope").status_code == 404


def test_updates_are_refused(server):
    r = httpx.post(sparql(server), data={"update": "DROP ALL"})
    assert r.status_code == 403
    r = httpx.post(
        sparql(server),
        content=b"INSERT DATA { <a:b> <a:c> <a:d> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert r.status_code == 403
    r = httpx.get(sparql(server), params={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert r.status_code == 403
    assert r.text.startswith("DELETE is an update")
    r = httpx.put(server + "sparql", content=b"x")
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    # and the graph is still whole
    r = httpx.get(sparql(server), params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 100


def test_syntax_errors_are_400_with_position(server):
    r = httpx.get(sparql(server), params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert r.text.startswith("SPARQL syntax error at line 1, column 26:")
    assert httpx.get(sparql(server)).status_code == 400
    r = httpx.get(
        sparql(server), params={"query": "SELECT * { SERVICE <http://x.example/> { ?s ?p ?o } }"}
    )
    assert r.status_code == 400 and "SERVICE is not allowed" in r.text


def test_serves_the_view_and_refuses_foreign_hosts(server):
    r = httpx.get(server)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.text == VIEW
    r = httpx.get(server, headers={"Host": "attacker.example"})
    assert r.status_code == 403
    assert httpx.get(server + "nothing-here").status_code == 404


def test_time_limit_and_missing_view(mini_path, tmp_path):
    proc, url = start(mini_path, "--timeout", "0.5", "--view", str(tmp_path / "none.html"))
    try:
        r = httpx.get(url + "sparql", params={"query": SLOW}, timeout=30)
        assert r.status_code == 503
        assert "past the time limit of 0.5 s" in r.text
        assert r.headers["retry-after"] == "5"
        r = httpx.get(url)
        assert r.status_code == 404 and "no HTML view here" in r.text
    finally:
        stop(proc)


def test_a_taken_port_is_a_clear_error(mini_path, server):
    port = server.rsplit(":", 1)[1].strip("/")
    result = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "serve", str(mini_path), "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")


def test_a_silent_connection_does_not_stop_others(server):
    import socket

    port = int(server.rsplit(":", 1)[1].strip("/"))
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    try:  # connected, sending nothing: the next client is served all the same
        r = httpx.get(server + "queries/actors", headers={"Accept": "text/csv"}, timeout=10)
        assert r.status_code == 200 and r.text.startswith("actor,name,kind,events")
    finally:
        for s in silent:
            s.close()


def test_a_query_waits_briefly_for_a_slot_before_it_is_turned_away():
    import threading

    from timeline.query import Slots

    slots = Slots(1, wait=5.0)
    assert slots.acquire()
    threading.Timer(0.2, slots.release).start()
    assert slots.acquire()  # waited for the slot the other query freed
    impatient = Slots(1, wait=0.05)
    assert impatient.acquire()
    assert not impatient.acquire()  # none freed in time: turned away (503 busy)


def test_a_repeated_query_comes_again_with_its_etag(server):
    """A build is read-only: the same query gets the same bytes and ETag, and a client that
    holds them is told so (304) without a body; another format is another answer."""
    query = {"query": "SELECT ?t WHERE { ?e dcterms:title ?t } ORDER BY ?t"}
    csv_type = {"Accept": "text/csv"}
    first = httpx.get(sparql(server), params=query, headers=csv_type)
    again = httpx.get(sparql(server), params=query, headers=csv_type)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert first.headers["ETag"] == again.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    held = httpx.get(
        sparql(server), params=query, headers={**csv_type, "If-None-Match": first.headers["ETag"]}
    )
    assert (held.status_code, held.content) == (304, b"")
    assert "content-length" not in held.headers and held.headers["ETag"] == first.headers["ETag"]
    assert first.headers["Vary"] == "Accept"
    anything = httpx.get(sparql(server), params=query, headers={**csv_type, "If-None-Match": "*"})
    assert anything.status_code == 304
    as_json = httpx.get(sparql(server), params=query)
    assert as_json.status_code == 200
    assert as_json.headers["ETag"] != first.headers["ETag"]
    assert as_json.headers["Content-Type"].startswith("application/sparql-results+json")


def test_concurrent_requests_for_one_answer_run_it_once():
    import threading
    import time

    from timeline.serve import Answers

    answers = Answers(budget=160)
    calls: list[int] = []
    gate = threading.Event()

    def make() -> tuple[str, bytes]:
        calls.append(1)
        gate.wait(5)
        return ("text/csv", b"x" * 10)

    got: list[tuple[str, bytes]] = []
    threads = [
        threading.Thread(target=lambda: got.append(answers.get(("q",), make))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join()
    assert calls == [1]
    assert got == [("text/csv", b"x" * 10)] * 8
    assert answers.get(("q",), make) == ("text/csv", b"x" * 10) and calls == [1]  # kept

    def fails() -> tuple[str, bytes]:
        calls.append(2)
        raise TimeoutError("slow")

    for _ in range(2):  # a failure is not kept: asked again, it runs again
        with pytest.raises(TimeoutError):
            answers.get(("slow",), fails)
    assert calls == [1, 2, 2]
    # an answer and its key over an eighth of the budget: not kept; beyond the budget the least
    # recently used goes; a key's text counts as its answer does
    answers.get(("big",), lambda: ("text/csv", b"y" * 18))
    assert ("big",) not in answers._kept
    answers.get(("x" * 30,), lambda: ("text/csv", b""))
    assert ("x" * 30,) not in answers._kept
    for k in range(16):
        answers.get(("n", k), lambda: ("text/csv", b"z" * 10))
    assert ("q",) not in answers._kept and answers.size <= 160
    # an answer made while a new build landed is sent, not kept
    assert answers.get(("stale",), lambda: ("text/csv", b"s"), keep=lambda: False)[1] == b"s"
    assert ("stale",) not in answers._kept


def test_a_build_folder_is_announced_with_its_counts(mini_path, tmp_path):
    """The first line names the build's counts from its manifest: counting a store's triples
    reads every one of them (2.7 s at 100k events, before the first answer)."""
    import json

    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "timeline.cli", "build", str(mini_path), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    summary = json.loads((out / "manifest.json").read_text())["summary"]
    assert summary == "3 events, 5 actors, 1 source, 1 claim, 1 relation"
    proc = subprocess.Popen(
        [sys.executable, "-m", "timeline.cli", "serve", str(out), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = re.search(r"view at (http://127\.0\.0\.1:\d+/);", line)
        assert url, line
        assert line == (
            f"serving {out} ({summary}): SPARQL at {url.group(1)}sparql, view at "
            f"{url.group(1)}; Ctrl-C stops\n"
        )
        r = httpx.get(url.group(1) + "queries/actors", headers={"Accept": "text/csv"})
        assert r.status_code == 200
    finally:
        stop(proc)
