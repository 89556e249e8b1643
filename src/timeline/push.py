"""Upload the graph to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

`PUT endpoint?graph=IRI` replaces that named graph with the body, so pushing the same build
twice leaves the store as it was after the first push. Works with any server that implements the
protocol: Oxigraph (``http://host:7878/store``), Apache Jena Fuseki
(``http://host:3030/DATASET/data``), GraphDB (``http://host:7200/repositories/REPO/rdf-graphs/service``).

Connection errors and 5xx answers are retried with exponential backoff; a 4xx answer is the
caller's problem (wrong URL, credentials, IRI) and is reported at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from timeline.errors import PushError
from timeline.net import CREDENTIALS_HINT, Credentials, Unreachable, clean, http_url, send, shown
from timeline.progress import Progress, quiet

CONTENT_TYPE = "application/n-triples"
EXAMPLE = "http://127.0.0.1:7878/store"

ANONYMOUS = Credentials()
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


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
    if not _IRI.match(graph):
        raise PushError(
            f"graph '{clean(graph)}' is not an absolute IRI; write e.g. "
            "https://example.org/timeline/dataset"
        )
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
) -> PushResult:
    """Read the build folder (or build the dataset) at `path` and replace named graph `graph`
    (default: the dataset's IRI) in the Graph Store Protocol service at `endpoint`."""
    from timeline.store import is_build_folder, open_built, same_base

    credentials = credentials or Credentials.resolve()
    _endpoint(endpoint)
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
        target, triples = graph or built.base + "dataset", data.count(b"\n")
        summary = str(built.manifest["summary"])
    else:
        from timeline.export.rdf import Iris, serialize, to_rdf
        from timeline.source import read_build

        b = read_build(path, base=base, progress=progress)
        progress("RDF")
        rdf = to_rdf(b)
        target = graph or str(Iris(b.base or b.dataset.dataset.base)("dataset"))
        data, triples, summary = serialize(rdf, "ntriples"), len(rdf), b.dataset.summary()
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
