"""Upload the graph to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

`PUT endpoint?graph=IRI` replaces that named graph with the body, so pushing the same build
twice leaves the store as it was after the first push. Works with any server that implements the
protocol: Oxigraph (``http://host:7878/store``), Apache Jena Fuseki
(``http://host:3030/DATASET/data``), GraphDB (``http://host:7200/repositories/REPO/rdf-graphs/service``).

Connection errors and 5xx answers are retried with exponential backoff; a 4xx answer is the
caller's problem (wrong URL, credentials, IRI) and is reported at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from timeline.errors import PushError
from timeline.net import (
    CREDENTIALS_HINT,
    IRI,
    Credentials,
    Remote,
    Unreachable,
    clean,
    http_url,
    send,
    shown,
)
from timeline.progress import Progress, quiet

CONTENT_TYPE = "application/n-triples"
EXAMPLE = "http://127.0.0.1:7878/store"

ANONYMOUS = Credentials()


@dataclass(frozen=True)
class PushResult:
    """What was pushed, where, and how many attempts it took."""

    endpoint: str
    graph: str
    triples: int
    status: int
    attempts: int
    summary: str = ""


def _endpoint(endpoint: str) -> httpx.URL:
    return http_url(endpoint, EXAMPLE, PushError)


def _client_error(response: httpx.Response, url: httpx.URL) -> PushError:
    status = response.status_code
    what = f"the store answered HTTP {status} {response.reason_phrase}".rstrip()
    if status in (401, 403):
        hint = CREDENTIALS_HINT
    elif status in (404, 405):
        hint = (
            "is it the store's Graph Store Protocol URL? e.g. http://HOST:7878/store "
            "(Oxigraph) or http://HOST:3030/DATASET/data (Fuseki)"
        )
    elif status == 413:
        hint = "the graph is larger than the server accepts; raise its upload limit"
    else:
        body = clean(response.text)
        hint = f"it said: {body}" if body else "it gave no reason"
    return PushError(f"{what} for PUT {shown(url)}; {hint}")


def _check_graph(graph: str) -> None:
    if not IRI.match(graph):
        raise PushError(
            f"graph '{clean(graph)}' is not an absolute IRI; write e.g. "
            "https://example.org/timeline/graph/my-dataset"
        )


def upload(
    data: bytes,
    endpoint: str,
    graph: str,
    credentials: Credentials = ANONYMOUS,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 60.0,
    progress: Progress = quiet,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, int]:
    """PUT N-Triples `data` as named graph `graph`; returns (HTTP status, attempts).

    Retries `retries` times on connection errors and 5xx answers, waiting `backoff`, then twice
    as long each time.
    """
    _check_graph(graph)
    url = _endpoint(endpoint).copy_merge_params({"graph": graph})
    headers = {"Content-Type": CONTENT_TYPE, **credentials.headers()}
    with httpx.Client(timeout=timeout, auth=credentials.auth()) as client:
        try:
            response, attempts = send(
                client,
                "PUT",
                url,
                retries=retries,
                backoff=backoff,
                what=f"upload to {shown(url)}",
                progress=progress,
                sleep=sleep,
                content=data,
                headers=headers,
            )
        except Unreachable as exc:
            raise PushError(
                f"push to {shown(url)} failed after {exc.tries}: {exc.reason}; is the triple "
                "store running and reachable?"
            ) from None
        if response.status_code >= 300:
            raise _client_error(response, url)
        return response.status_code, attempts


def query_url(endpoint: str) -> str | None:
    """The SPARQL query URL beside a Graph Store URL, by the servers' conventions: Oxigraph's
    ``/store`` -> ``/query``, Fuseki's ``/DATASET/data`` -> ``/DATASET/sparql``."""
    url = _endpoint(endpoint)
    for store, query in (("/store", "/query"), ("/data", "/sparql")):
        if url.path.endswith(store):
            return str(url.copy_with(path=url.path[: -len(store)] + query, query=None))
    return None


def owner(
    endpoint: str,
    graph: str,
    credentials: Credentials,
    queries: str | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 0.5,
) -> tuple[bool, str | None]:
    """Whether the store's named graph `graph` holds triples, and the id of the dataset that
    `timeline push` recorded there (None: none recorded), read with SPARQL at `queries`."""
    import pyoxigraph as ox

    from timeline.remote import RemoteError, RemoteStore, RemoteUnreachable
    from timeline.vocab import TL

    where = queries or query_url(endpoint)
    if where is None:
        raise PushError(
            f"cannot tell who pushed graph <{graph}> before replacing it: give the store's "
            "SPARQL query URL with --query-endpoint, or --replace to overwrite it unread"
        )
    g = str(ox.NamedNode(graph))
    store = RemoteStore(Remote(where, None, credentials, timeout, retries, backoff))
    try:
        rows = store.select(
            f"SELECT ?id WHERE {{ {{ SELECT * WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }} LIMIT 1 }} "
            f"OPTIONAL {{ GRAPH {g} {{ {g} <{TL.pushedDataset}> ?id }} }} }} LIMIT 1"
        )
    except RemoteUnreachable as exc:  # the store is down: said as for the upload
        url = _endpoint(endpoint).copy_merge_params({"graph": graph})
        raise PushError(
            f"push to {shown(url)} failed after {exc.cause.tries}: {exc.cause.reason}; is the "
            "triple store running and reachable?"
        ) from None
    except RemoteError as exc:
        raise PushError(
            f"cannot tell who pushed graph <{graph}> before replacing it: {exc} (give "
            "--query-endpoint, or --replace to overwrite it unread)"
        ) from None
    if not rows:
        return False, None
    found = rows[0].get("id")
    return True, found.value if found is not None else None


def push(
    path: str | Path,
    endpoint: str,
    graph: str | None = None,
    base: str | None = None,
    credentials: Credentials | None = None,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 60.0,
    progress: Progress = quiet,
    replace: bool = False,
    queries: str | None = None,
) -> PushResult:
    """Read the build folder (or build the dataset) at `path` and replace named graph `graph`
    (default: ``{base}graph/{dataset id}``) in the Graph Store Protocol service at `endpoint`.

    The pushed graph records the dataset's id (``<graph> tl:pushedDataset "id"``); a graph that
    another dataset pushed, or that holds triples no push recorded, is replaced only with
    `replace` (read with SPARQL at `queries`, by default the query URL beside `endpoint`)."""
    from timeline.store import is_build_folder, open_built, same_base

    credentials = credentials or Credentials.resolve()
    _endpoint(endpoint)
    if graph is not None:  # refused before anything is built
        _check_graph(graph)
    if is_build_folder(path):  # the store's triples, as built
        import pyoxigraph as ox

        built = open_built(path)
        if base is not None and not same_base(base, built):
            raise PushError(
                f"{path} was built with base {built.base}; rebuild it with --base {base} to push "
                "it under that base"
            )
        progress("read the store")
        data = built.store().dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        ident = built.manifest["dataset"].get("id") or built.build().dataset.identity
        target = graph or f"{built.base}graph/{ident}"
        summary = str(built.manifest["summary"])
    else:
        from timeline.export.rdf import Iris, serialize, to_rdf
        from timeline.source import read_build

        b = read_build(path, base=base, progress=progress)
        progress("RDF")
        rdf = to_rdf(b)
        ident = b.dataset.identity
        target = graph or str(Iris(b.base or b.dataset.dataset.base)("graph")) + "/" + ident
        data, summary = serialize(rdf, "ntriples"), b.dataset.summary()
    _check_graph(target)
    if not replace:
        held, by = owner(endpoint, target, credentials, queries, timeout, retries, backoff)
        if held and by != ident:
            who = f"dataset '{by}'" if by else "triples that no timeline push recorded"
            raise PushError(
                f"graph <{target}> holds {who}, not '{ident}': nothing was pushed; push to "
                "this dataset's own graph (leave out --graph, or set dataset.id), or give "
                "--replace to overwrite it"
            )
    from timeline.export.rdf import nt_literal
    from timeline.vocab import TL

    data += f"<{target}> <{TL.pushedDataset}> {nt_literal(ident)} .\n".encode()
    triples = data.count(b"\n")
    status, attempts = upload(
        data,
        endpoint,
        target,
        credentials,
        retries=retries,
        backoff=backoff,
        timeout=timeout,
        progress=progress,
    )
    return PushResult(
        endpoint=shown(httpx.URL(endpoint)),
        graph=target,
        triples=triples,
        status=status,
        attempts=attempts,
        summary=summary,
    )
