"""The reading commands against a real Oxigraph server: the same rows as the local build.

The server holds the shipped data (pushed to the dataset's own graph) and a 10k-event synthetic
dataset (pushed to its own graph); every saved query, `actors`, `relations` and `path` is run on
both sides and compared row by row, term by term.
"""

from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pyoxigraph as ox
import pytest

from benchlib import synth
from servers import free_port, oxigraph_server
from timeline.analyze import AnalysisError, Window, path, rank_actors, relations
from timeline.cli import app
from timeline.errors import QueryError
from timeline.net import Remote
from timeline.query import masked, open_graph, query, saved_queries
from timeline.remote import with_values
from timeline.serve import make_server
from timeline.source import read_build

SHIPPED_GRAPH = "https://example.org/timeline/graph/venezuela-2026"
SYNTH_GRAPH = "urn:timeline:synthetic-10k"


@pytest.fixture(scope="module")
def store(tmp_path_factory, shipped_path):
    """A server holding the shipped data and 10k synthetic events, each pushed by `timeline
    push` from a local build; yields (query URL, {graph: local build folder})."""
    from typer.testing import CliRunner

    runner = CliRunner()
    work = tmp_path_factory.mktemp("remote")
    shipped_out, synth_out = work / "shipped", work / "synth"
    synth.write(10_000, work / "synth.yaml", seed=0)
    for data, out in ((shipped_path, shipped_out), (work / "synth.yaml", synth_out)):
        result = runner.invoke(
            app, ["build", str(data), "-o", str(out), "--ner", "gazetteer", "--no-cache"]
        )
        assert result.exit_code == 0, result.output
    with oxigraph_server(work / "oxigraph") as url:
        for out, graph in ((shipped_out, []), (synth_out, ["--graph", SYNTH_GRAPH])):
            result = runner.invoke(
                app, ["push", str(out), "--endpoint", f"{url}/store", "--timeout", "600", *graph]
            )
            assert result.exit_code == 0, result.output
        yield f"{url}/query", {SHIPPED_GRAPH: shipped_out, SYNTH_GRAPH: synth_out}


def _params(graph: str) -> dict[str, dict[str, str]]:
    """Parameters for each saved query that needs them, on each dataset."""
    if graph == SHIPPED_GRAPH:
        return {
            "actor-events": {"actor": "Maduro"},
            "event-actors": {"event": "maduro-capture"},
            "events-between": {"from": "2026-01-05", "to": "2026-01"},
            "partners": {"actor": "delcy-rodriguez"},
            "sources": {"fact": "maduro-capture"},
        }
    return {
        "actor-events": {"actor": "mateo-rodriguez"},
        "event-actors": {"event": "general-mendoza-detains-martinez-in-merida-1"},
        "events-between": {"from": "2020-01-05", "to": "2020-03"},
        "partners": {"actor": "rocio-zambrano"},
        "sources": {"fact": "jose-fernandez-claim-1"},
    }


@pytest.mark.parametrize("graph", [SHIPPED_GRAPH, SYNTH_GRAPH])
@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_every_saved_query_gives_the_local_rows(store, graph, name):
    url, local = store
    params = _params(graph).get(name, {})
    here = query(local[graph], name=name, params=params)
    there = query(Remote(url, graph), name=name, params=params)
    assert there.columns == here.columns
    assert there.rows == here.rows
    assert len(here.rows) > 0


def _rounded(ranks):
    return [
        (r.actor, r.name, r.kind, r.events, r.partners)
        + tuple(round(x, 9) for x in (r.degree, r.betweenness, r.eigenvector))
        for r in ranks
    ]


WINDOWS = {
    SHIPPED_GRAPH: [Window(), Window.parse("2026-01-04", "2026-01-10")],
    SYNTH_GRAPH: [Window(), Window.parse("2020-01", "2020-06")],
}
PAIRS = {
    # Delcy Rodríguez: a relation dated by a range, and one that ended at an unknown date
    SHIPPED_GRAPH: [("nicolas-maduro", "colombia"), ("Trump", "cuba"), ("delcy-rodriguez", "cuba")],
    SYNTH_GRAPH: [("mateo-rodriguez", "rocio-zambrano"), ("rocio-zambrano", "mateo-rodriguez")],
}


def _outcome(run, *args):
    """What a call returns, or the message of the error it raises."""
    try:
        return run(*args)
    except AnalysisError as exc:
        return f"error: {exc}"


@pytest.mark.parametrize("graph", [SHIPPED_GRAPH, SYNTH_GRAPH])
def test_actors_relations_and_path_give_the_local_answers(store, graph):
    url, local = store
    remote, build = Remote(url, graph), read_build(local[graph])
    seen = set()
    for window in WINDOWS[graph]:
        here = rank_actors(build, window)
        assert _rounded(rank_actors(remote, window)) == _rounded(here)
        assert len(here) > 3
        for a, b in PAIRS[graph]:
            found = relations(build, a, window)
            assert relations(remote, a, window) == found
            chain = _outcome(path, build, a, b, window)
            assert _outcome(path, remote, a, b, window) == chain
            seen.add(type(chain))
            assert found
    assert list in seen  # some chains found (the others: the same error on both sides)


def test_the_cli_prints_the_same_tables(store, runner, monkeypatch):
    url, local = store
    build = str(local[SHIPPED_GRAPH])
    # (the command, its arguments after PATH): with --endpoint the PATH is left out
    cases = [
        ("query", ["actor-events", "-p", "actor=maduro"]),
        ("actors", ["--limit", "5"]),
        ("relations", ["maduro", "--to", "2026-01-05"]),
        ("path", ["maduro", "colombia"]),
    ]
    for command, args in cases:
        expected = runner.invoke(app, [command, build, *args])
        assert expected.exit_code == 0, expected.output
        got = runner.invoke(app, [command, *args, "--endpoint", url, "--graph", SHIPPED_GRAPH])
        assert (got.exit_code, got.output) == (0, expected.output)
        monkeypatch.setenv("TIMELINE_ENDPOINT", url)  # the same from the environment
        got = runner.invoke(app, [command, *args, "--graph", SHIPPED_GRAPH])
        monkeypatch.delenv("TIMELINE_ENDPOINT")
        assert (got.exit_code, got.output) == (0, expected.output)


def test_a_path_beside_an_endpoint_is_refused(store, runner):
    url, local = store
    result = runner.invoke(app, ["actors", str(local[SHIPPED_GRAPH]), "--endpoint", url])
    assert (result.exit_code, result.output) == (
        1,
        "error: give PATH or --endpoint, not both\n",
    )


def test_several_datasets_need_a_graph(store, runner):
    url, local = store
    # each push recorded its dataset's id in its graph: two datasets are not read as one
    result = runner.invoke(app, ["query", "actors", "--endpoint", url])
    assert (result.exit_code, result.output) == (
        1,
        f"error: {url} holds several timeline datasets: <{SHIPPED_GRAPH}> (venezuela-2026), "
        f"<{SYNTH_GRAPH}> (synthetic-timeline-10000-events-seed-0); choose one with --graph "
        "IRI\n",
    )
    engine = open_graph(Remote(url, SYNTH_GRAPH))
    assert engine.store.graphs == (SYNTH_GRAPH,)
    assert len(engine.run("SELECT ?e WHERE { ?e a sem:Event }").rows) == 10_000


def test_a_dataset_under_another_base(store, runner, mini_path):
    url, _ = store
    other = "urn:timeline:other-base"
    result = runner.invoke(
        app,
        ["push", str(mini_path), "--endpoint", url.replace("/query", "/store")]
        + ["--graph", other, "--base", "https://news.example/tl/"],
    )
    assert result.exit_code == 0, result.output
    try:
        result = runner.invoke(app, ["query", "actors", "--endpoint", url, "--graph", other])
        assert result.exit_code == 0, result.output
        rows = [line.split()[0] for line in result.output.splitlines()]
        assert rows[0] == "actor" and "nicolas-maduro" in rows
    finally:
        httpx.delete(url.replace("/query", "/store"), params={"graph": other}).raise_for_status()


def test_hostile_parameter_values_stay_values(store):
    url, local = store
    text = "SELECT ?q (STRLEN(?q) AS ?n) WHERE { }"
    for value in ['x" } } ; DROP ALL #', "a'} UNION { ?s ?p ?o }", "<urn:x>", "\\u0022"]:
        here = query(local[SHIPPED_GRAPH], sparql=text, params={"q": value})
        there = query(Remote(url, SHIPPED_GRAPH), sparql=text, params={"q": value})
        assert there.rows == here.rows == ((ox.Literal(value), ox.Literal(len(value))),)
    with pytest.raises(QueryError, match="no actor 'x\" } DROP ALL'"):
        query(Remote(url, SHIPPED_GRAPH), name="actor-events", params={"actor": 'x" } DROP ALL'})
    with pytest.raises(QueryError, match="^DROP is an update"):
        query(Remote(url, SHIPPED_GRAPH), sparql="DROP ALL")


def test_a_server_in_front_of_the_store_answers_as_the_local_one(store):
    url, local = store
    answers = []
    for source in (local[SHIPPED_GRAPH], Remote(url, SHIPPED_GRAPH)):
        server = make_server(open_graph(source))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            response = httpx.get(
                f"{server.url}queries/partners",
                params={"actor": "maduro"},
                headers={"Accept": "text/csv"},
            )
            answers.append((response.status_code, response.text))
        finally:
            server.shutdown()
            server.server_close()
    assert answers[0] == answers[1]
    assert answers[0][0] == 200 and answers[0][1].count("\n") > 3


# --- an endpoint that fails ------------------------------------------------------------------


class Misbehaving(BaseHTTPRequestHandler):
    """Answers every query the way `server.mode` says: html, slow, 401, 503."""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.server.mode  # type: ignore[attr-defined]
        self.server.hits += 1  # type: ignore[attr-defined]
        self.server.authorization = self.headers.get("Authorization")  # type: ignore[attr-defined]
        if mode == "slow":
            time.sleep(1.0)
        status, media, body = {
            "html": (200, "text/html", b"<html><body>Welcome</body></html>"),
            "slow": (200, "application/sparql-results+json", b'{"head":{},"boolean":true}'),
            "401": (401, "text/plain", b"who are you"),
            "503": (503, "text/plain", b"busy"),
        }[mode]
        try:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (slow)
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def misbehaving():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    server.mode, server.hits = "html", 0  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("mode", "options", "message"),
    [
        ("html", [], "answered text/html, not SPARQL results; is it the store's SPARQL query URL?"),
        ("slow", ["--timeout", "0.2"], "no answer within 0.2 s after 3 attempts"),
        ("401", [], "answered HTTP 401 Unauthorized; check the credentials (TIMELINE_STORE_TOKEN"),
        ("503", [], "HTTP 503 Service Unavailable after 3 attempts; is the SPARQL endpoint"),
    ],
)
def test_a_bad_endpoint_is_one_line_and_exit_1(misbehaving, runner, mode, options, message):
    server, url = misbehaving
    server.mode = mode
    result = runner.invoke(app, ["actors", "--endpoint", url, *options])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"error: {url}")
    assert message in result.output
    assert server.hits == (1 if mode in ("html", "401") else 3)


@pytest.mark.parametrize(
    ("env", "sent"),
    [
        ({"TIMELINE_STORE_TOKEN": "t0k3n"}, "Bearer t0k3n"),
        ({"TIMELINE_STORE_USER": "ann", "TIMELINE_STORE_PASSWORD": "pw"}, "Basic YW5uOnB3"),
    ],
)
def test_credentials_come_from_the_environment(misbehaving, runner, monkeypatch, env, sent):
    server, url = misbehaving
    server.mode = "401"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["relations", "maduro", "--endpoint", url])
    assert result.exit_code == 1
    assert server.authorization == sent
    assert "t0k3n" not in result.output and "pw" not in result.output


def test_an_endpoint_that_is_down_is_one_line_and_exit_1(runner):
    url = f"http://127.0.0.1:{free_port()}/query"
    result = runner.invoke(app, ["query", "actors", "--endpoint", url])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {url}: could not connect (")
    assert result.output.endswith(
        "after 3 attempts; is the SPARQL endpoint running and reachable? (--timeout sets the "
        "wait)\n"
    )


def test_not_a_url(runner):
    result = runner.invoke(app, ["query", "actors", "--endpoint", "ftp://x/y"])
    assert (result.exit_code, result.output) == (
        1,
        "error: endpoint 'ftp://x/y' is not an http(s) URL; write e.g. "
        "http://127.0.0.1:7878/query\n",
    )


# --- parameters as VALUES blocks, checked against pyoxigraph's own bindings -----------------


def test_values_blocks_bind_as_pyoxigraph_does(shipped_path, tmp_path):
    """Every saved query, run locally with its parameters written in as VALUES blocks, gives
    what pyoxigraph's substitutions give: the remote path binds the same way."""
    engine = open_graph(shipped_path)
    for name, saved in saved_queries().items():
        params = _params(SHIPPED_GRAPH).get(name, {})
        subs = engine.bind(saved.text, params, saved.params)
        direct = engine.run(saved.text, params, declared=saved.params)
        rewritten = with_values(saved.text, subs)
        assert rewritten != saved.text or not subs
        via_values = engine.run(rewritten, {}, declared=())
        assert via_values.rows == direct.rows, name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the outer query and a subquery that projects ?x get a block; one that does not, none
        (
            "SELECT ?x WHERE { { SELECT ?x WHERE { ?s ?p ?x } } { SELECT ?y WHERE { ?y ?p ?x } } }",
            'SELECT ?x WHERE { VALUES ?x { "v" } { SELECT ?x WHERE { VALUES ?x { "v" } ?s ?p ?x '
            "} } { SELECT ?y WHERE { ?y ?p ?x } } }",
        ),
        # braces, keywords and variables inside strings, IRIs and comments are not code
        (
            'SELECT ?x # { SELECT ?x\nWHERE { BIND("{ ?x }" AS ?z) ?s <urn:a{b> ?x }',
            'SELECT ?x # { SELECT ?x\nWHERE { VALUES ?x { "v" } BIND("{ ?x }" AS ?z) ?s '
            "<urn:a{b> ?x }",
        ),
        # CONSTRUCT: after the template, in the WHERE group
        (
            "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }",
            'CONSTRUCT { ?x ?p ?o } WHERE { VALUES ?x { "v" } ?x ?p ?o }',
        ),
        ("ASK { ?s ?p ?x }", 'ASK { VALUES ?x { "v" } ?s ?p ?x }'),
    ],
)
def test_where_the_values_go(text, expected):
    assert with_values(text, {ox.Variable("x"): ox.Literal("v")}) == expected
    assert len(masked(text)) == len(text)


def test_a_parameter_outside_the_projection_is_refused():
    with pytest.raises(QueryError, match="parameter 'x' must be listed in the query's SELECT"):
        with_values("SELECT ?y WHERE { ?y ?p ?x }", {ox.Variable("x"): ox.Literal("v")})


# --- the shared-store session of docs/exports.md, run as written ------------------------------


def test_the_shared_store_session_prints_what_it_shows(tmp_path, shipped_path):
    import re
    import shlex
    import subprocess
    import sys

    import docs

    block = re.search(r"```console shared-store\n(.*?)```", docs.text(), re.S).group(1)
    steps = re.findall(r"^\$ ([^\n]*)\n(.*?)(?=^\$ |\Z)", block, re.S | re.M)
    assert len(steps) >= 6
    subprocess.run(
        [sys.executable, "-m", "timeline", "build", str(shipped_path), "-o", "out/"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    env = dict(os.environ)
    env.pop("TIMELINE_ENDPOINT", None)
    with oxigraph_server(tmp_path / "oxigraph") as url:
        port, view_port = url.rsplit(":", 1)[1], str(free_port())

        def here(text: str) -> str:
            return (
                text.replace(":7878", f":{port}")
                .replace(":7070", f":{view_port}")
                .replace("--port 7070", f"--port {view_port}")
            )

        for command, shown in steps:
            words = shlex.split(here(command))
            expected = here(shown)
            if words[0] == "export":
                name, value = words[1].split("=", 1)
                env[name] = value
                continue
            assert words[0] == "timeline"
            args = [sys.executable, "-m", "timeline", *words[1:]]
            if words[-1] == "&":  # a server: its first line, then a query through it
                proc = subprocess.Popen(
                    args[:-1], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
                )
                try:
                    assert proc.stdout.readline() == expected
                    page = httpx.get(f"http://127.0.0.1:{view_port}/", timeout=60)
                    assert page.status_code == 200
                    assert "Nicolás Maduro captured by US forces" in page.text
                finally:
                    proc.terminate()
                    proc.wait(timeout=10)
                    proc.stdout.close()
                continue
            done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
            assert (done.returncode, done.stdout) == (0, expected), done.stderr
