"""`timeline push` against a real Oxigraph server, and retries against a small local server."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from servers import free_port, oxigraph_server
from timeline.cli import app
from timeline.errors import PushError, TimelineError
from timeline.export.rdf import serialize, to_rdf
from timeline.pipeline import make_build
from timeline.push import Credentials, upload

GOLDEN_INPUT = Path(__file__).resolve().parent / "golden" / "input.yaml"
DATASET_GRAPH = "https://example.org/timeline/graph/venezuela-2026"  # the shipped data's id
PUSHED = "https://example.org/timeline/ns#pushedDataset"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1 with a fresh store; yields its base URL."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


def select(url: str, query: str) -> list[dict[str, str]]:
    """Run a SELECT over the SPARQL protocol; each row as {variable: value}."""
    response = httpx.post(
        f"{url}/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return [
        {k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]
    ]


def count(url: str, graph: str) -> int:
    rows = select(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"])


ACTOR_TIMELINE = """
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?event ?title ?earliest WHERE {
  %s
    ?e sem:hasActor ?actor ; dcterms:identifier ?event ; dcterms:title ?title ;
       sem:hasEarliestBeginTimeStamp ?earliest .
    ?actor dcterms:identifier "venezuela-interim-government" .
  %s
} ORDER BY ?earliest ?event
"""


@pytest.mark.server
def test_push_then_query_the_server_gives_the_local_answers(oxigraph, runner, shipped_path):
    result = runner.invoke(app, ["push", str(shipped_path), "--endpoint", f"{oxigraph}/store"])
    assert result.exit_code == 0, result.output
    build = make_build(shipped_path)
    local = to_rdf(build)
    # 201: the graph did not exist before; one more triple: the graph records who pushed it
    assert result.stdout == (
        f"{shipped_path}: pushed {len(local) + 1} triples ({build.dataset.summary()})"
        f" to graph <{DATASET_GRAPH}> at {oxigraph}/store (HTTP 201, 1 attempt)\n"
    )
    assert count(oxigraph, DATASET_GRAPH) == len(local) + 1
    owner = select(oxigraph, f"SELECT ?id WHERE {{ GRAPH ?g {{ ?g <{PUSHED}> ?id }} }}")
    assert {"id": "venezuela-2026"} in owner
    remote = select(oxigraph, ACTOR_TIMELINE % (f"GRAPH <{DATASET_GRAPH}> {{", "}"))
    mine = [
        {"event": str(r.event), "title": str(r.title), "earliest": str(r.earliest)}
        for r in local.query(ACTOR_TIMELINE % ("", ""))
    ]
    assert remote == mine
    assert len(mine) >= 3


@pytest.mark.server
def test_pushing_twice_replaces_the_graph(oxigraph, runner, mini_path):
    graph = "https://example.org/test/twice"
    args = ["push", str(mini_path), "--endpoint", f"{oxigraph}/store", "--graph", graph]
    assert runner.invoke(app, args).exit_code == 0
    first = count(oxigraph, graph)
    assert runner.invoke(app, args).exit_code == 0
    assert count(oxigraph, graph) == first == len(to_rdf(make_build(mini_path))) + 1
    # another dataset is refused that graph, which stays as it was ...
    args[1] = str(GOLDEN_INPUT)
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: graph <{graph}> holds dataset 'mini-timeline', not "
        "'export-golden-friends': nothing was pushed; push to this dataset's own graph (leave "
        "out --graph, or set dataset.id), or give --replace to overwrite it\n",
    )
    assert count(oxigraph, graph) == first
    # ... unless it says --replace: then it replaces the graph rather than adding to it
    assert runner.invoke(app, [*args, "--replace"]).exit_code == 0
    assert count(oxigraph, graph) == len(to_rdf(make_build(GOLDEN_INPUT))) + 1


@pytest.mark.server
def test_two_datasets_push_to_graphs_of_their_own(oxigraph, runner, mini_path):
    for data in (mini_path, GOLDEN_INPUT):
        result = runner.invoke(app, ["push", str(data), "--endpoint", f"{oxigraph}/store"])
        assert result.exit_code == 0, result.output
    graphs = {
        r["g"]: r["id"]
        for r in select(oxigraph, f"SELECT ?g ?id WHERE {{ GRAPH ?g {{ ?g <{PUSHED}> ?id }} }}")
    }
    assert graphs["https://example.org/timeline/graph/mini-timeline"] == "mini-timeline"
    assert graphs["https://example.org/golden/graph/export-golden-friends"] == (
        "export-golden-friends"
    )


@pytest.mark.server
def test_a_graph_written_by_something_else_is_not_replaced(oxigraph, runner, mini_path):
    graph = "https://example.org/test/foreign"
    upload(b"<urn:a> <urn:b> <urn:c> .\n", f"{oxigraph}/store", graph)
    args = ["push", str(mini_path), "--endpoint", f"{oxigraph}/store", "--graph", graph]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert f"graph <{graph}> holds triples that no timeline push recorded" in result.stderr
    assert count(oxigraph, graph) == 1


@pytest.mark.server
def test_push_uploads_exactly_the_local_triples(oxigraph, mini_path):
    graph = "https://example.org/test/exact"
    local = to_rdf(make_build(mini_path))
    upload(serialize(local, "ntriples"), f"{oxigraph}/store", graph)
    response = httpx.get(
        f"{oxigraph}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    remote = Graph().parse(data=response.text, format="nt")
    assert set(remote) == set(local)


@pytest.mark.server
def test_push_of_a_build_folder_uploads_its_store(oxigraph, runner, mini_path, tmp_path):
    """From OUT, the store's triples go up as built: the same graph as from the dataset."""
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(mini_path), "-o", str(out)]).exit_code == 0
    graph = "https://example.org/test/from-out"
    result = runner.invoke(
        app, ["push", str(out), "--endpoint", f"{oxigraph}/store", "--graph", graph]
    )
    assert result.exit_code == 0, result.output
    local = to_rdf(make_build(mini_path))
    assert f"pushed {len(local) + 1} triples (3 events, 5 actors" in result.stdout
    response = httpx.get(
        f"{oxigraph}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    pushed = (URIRef(graph), URIRef(PUSHED), Literal("mini-timeline"))
    assert set(Graph().parse(data=response.text, format="nt")) == set(local) | {pushed}


@pytest.mark.server
def test_push_to_a_wrong_path_is_a_clear_4xx_error(oxigraph, runner, mini_path):
    args = ["push", str(mini_path), "--endpoint", f"{oxigraph}/nope"]
    result = runner.invoke(app, args)  # no query URL beside it: nothing to read the owner with
    assert (result.exit_code, result.stderr) == (
        1,
        "error: cannot tell who pushed graph <https://example.org/timeline/graph/mini-timeline> "
        "before replacing it: give the store's SPARQL query URL with --query-endpoint, or "
        "--replace to overwrite it unread\n",
    )
    result = runner.invoke(app, [*args, "--replace"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the store answered HTTP 404 Not Found for PUT {oxigraph}/nope?graph="
        "https%3A%2F%2Fexample.org%2Ftimeline%2Fgraph%2Fmini-timeline; is it the store's Graph "
        "Store Protocol URL? e.g. http://HOST:7878/store (Oxigraph) or "
        "http://HOST:3030/DATASET/data (Fuseki)\n"
    )


def test_push_to_a_closed_port_retries_then_fails_clearly(runner, mini_path):
    port = free_port()
    result = runner.invoke(
        app,
        [
            "push",
            str(mini_path),
            "--endpoint",
            f"http://127.0.0.1:{port}/store",
            "--retries",
            "2",
            "--backoff",
            "0",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: push to http://127.0.0.1:{port}/store?graph=https%3A%2F%2Fexample.org%2F"
        "timeline%2Fgraph%2Fmini-timeline failed after 3 attempts: could not connect ("
    )
    assert result.stderr.endswith("); is the triple store running and reachable?\n")


def test_push_rejects_bad_endpoints_and_graphs_before_building(runner, mini_path):
    result = runner.invoke(app, ["push", str(mini_path), "--endpoint", "ftp://host/store"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: endpoint 'ftp://host/store' is not an http(s) URL; write e.g."
        " http://127.0.0.1:7878/store\n"
    )
    result = runner.invoke(
        app,
        ["push", str(mini_path), "--endpoint", "http://127.0.0.1:9/store", "--graph", "not an iri"],
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: graph 'not an iri' is not an absolute IRI; write e.g. "
        "https://example.org/timeline/graph/my-dataset\n"
    )


# --- retries, backoff and credentials against a small local server ----------------------------


class Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first `failures` PUTs, then 204; records every request."""

    failures = 0
    status = 204
    seen: list[tuple[str, dict[str, str], bytes]] = []

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.path, dict(self.headers), body))
        if len(self.seen) <= self.failures:
            self.send_response(503)
        else:
            self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def flaky():
    Flaky.seen, Flaky.failures, Flaky.status = [], 0, 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Flaky, f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_5xx_is_retried_with_doubling_backoff(flaky):
    handler, url = flaky
    handler.failures, handler.status = 2, 201
    waits: list[float] = []
    status, attempts = upload(
        b"<urn:a> <urn:b> <urn:c> .\n",
        url,
        "urn:g",
        Credentials(token="t0k"),
        retries=3,
        backoff=0.5,
        sleep=waits.append,
    )
    assert (status, attempts) == (201, 3)
    assert waits == [0.5, 1.0]
    path, headers, body = handler.seen[-1]
    assert path == "/store?graph=urn%3Ag"
    assert headers["Authorization"] == "Bearer t0k"
    assert headers["Content-Type"] == "application/n-triples"
    assert body == b"<urn:a> <urn:b> <urn:c> .\n"


def test_5xx_until_the_retries_run_out(flaky):
    handler, url = flaky
    handler.failures = 10
    waits: list[float] = []
    with pytest.raises(PushError) as info:
        upload(b"", url, "urn:g", retries=2, backoff=1, sleep=waits.append)
    assert str(info.value) == (
        f"push to {url}?graph=urn%3Ag failed after 3 attempts: HTTP 503 "
        "Service Unavailable; is the triple store running and reachable?"
    )
    assert waits == [1, 2]


def test_4xx_is_not_retried_and_names_the_credentials(flaky):
    handler, url = flaky
    handler.status = 401
    with pytest.raises(PushError) as info:
        upload(b"", url, "urn:g", Credentials(user="ann", password="s3cret"), sleep=pytest.fail)
    assert len(handler.seen) == 1
    assert handler.seen[0][1]["Authorization"] == "Basic YW5uOnMzY3JldA=="
    assert str(info.value) == (
        f"the store answered HTTP 401 Unauthorized for PUT {url}?graph="
        "urn%3Ag; check the credentials (TIMELINE_STORE_TOKEN, or "
        "TIMELINE_STORE_USER and TIMELINE_STORE_PASSWORD)"
    )
    assert "s3cret" not in str(info.value)


def test_credentials_come_from_options_then_environment():
    env = {"TIMELINE_STORE_USER": "ann", "TIMELINE_STORE_PASSWORD": "pw"}
    assert Credentials.resolve(env=env) == Credentials(user="ann", password="pw")
    assert Credentials.resolve(token="opt", env=env) == Credentials(token="opt")
    assert Credentials.resolve(env={"TIMELINE_STORE_TOKEN": "env"}) == Credentials(token="env")
    assert Credentials.resolve(env={}) == Credentials()
    with pytest.raises(
        TimelineError, match="^a user name needs a password: set TIMELINE_STORE_PASSWORD"
    ):
        Credentials.resolve(user="ann", env={})


def test_cli_push_reads_the_token_from_the_environment(flaky, runner, mini_path):
    handler, url = flaky
    result = runner.invoke(
        app,
        ["push", str(mini_path), "--endpoint", url, "--replace"],  # it answers PUT alone
        env={"TIMELINE_STORE_TOKEN": "from-env"},
    )
    assert result.exit_code == 0, result.output
    assert handler.seen[0][1]["Authorization"] == "Bearer from-env"
    graph = "https://example.org/timeline/graph/mini-timeline"
    assert handler.seen[0][2] == serialize(to_rdf(make_build(mini_path)), "ntriples") + (
        f'<{graph}> <{PUSHED}> "mini-timeline" .\n'.encode()
    )
