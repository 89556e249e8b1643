"""Upload the graph to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

`PUT endpoint?graph=IRI` replaces that named graph with the body, so pushing the same build
twice leaves the store as it was after the first push. Works with any server that implements the
protocol: Oxigraph (``http://host:7878/store``), Apache Jena Fuseki
(``http://host:3030/DATASET/data``), GraphDB (``http://host:7200/repositories/REPO/rdf-graphs/service``).

Connection errors and 5xx answers are retried with exponential backoff; a 4xx answer is the
caller's problem (wrong URL, credentials, IRI) and is reported at once.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from timeline.errors import PushError
from timeline.progress import Progress, quiet

TOKEN_ENV = "TIMELINE_STORE_TOKEN"
USER_ENV = "TIMELINE_STORE_USER"
PASSWORD_ENV = "TIMELINE_STORE_PASSWORD"
CONTENT_TYPE = "application/n-triples"

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\uffff]+")


@dataclass(frozen=True)
class Credentials:
    """A bearer token, or a user name and password (HTTP basic); both None means anonymous."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    @classmethod
    def resolve(
        cls,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Options first, then TIMELINE_STORE_TOKEN, or TIMELINE_STORE_USER and _PASSWORD."""
        env = os.environ if env is None else env
        token = token or env.get(TOKEN_ENV) or None
        user = user or env.get(USER_ENV) or None
        password = password or env.get(PASSWORD_ENV) or None
        if token:
            return cls(token=token)
        if user and not password:
            raise PushError(f"a user name needs a password: set {PASSWORD_ENV} (or --password)")
        if password and not user:
            raise PushError(f"a password needs a user name: set {USER_ENV} (or --user)")
        return cls(user=user, password=password)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def auth(self) -> httpx.BasicAuth | None:
        if self.user and self.password:
            return httpx.BasicAuth(self.user, self.password)
        return None


@dataclass(frozen=True)
class PushResult:
    """What was pushed, where, and how many attempts it took."""

    endpoint: str
    graph: str
    triples: int
    status: int
    attempts: int
    summary: str = ""


def _clean(text: str, limit: int = 200) -> str:
    """A server's answer, safe to print: one line, no control characters, bounded."""
    flat = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def _endpoint(endpoint: str) -> httpx.URL:
    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, TypeError) as exc:
        raise PushError(f"endpoint '{_clean(endpoint)}' is not a URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise PushError(
            f"endpoint '{_clean(endpoint)}' is not an http(s) URL; write e.g. "
            "http://127.0.0.1:7878/store"
        )
    return url


def _shown(url: httpx.URL) -> str:
    """The URL without any user name or password in it, for messages."""
    return str(url.copy_with(username=None, password=None))


def _client_error(response: httpx.Response, url: httpx.URL) -> PushError:
    status = response.status_code
    what = f"the store answered HTTP {status} {response.reason_phrase}".rstrip()
    if status in (401, 403):
        hint = f"check the credentials ({TOKEN_ENV}, or {USER_ENV} and {PASSWORD_ENV})"
    elif status in (404, 405):
        hint = (
            "is it the store's Graph Store Protocol URL? e.g. http://HOST:7878/store "
            "(Oxigraph) or http://HOST:3030/DATASET/data (Fuseki)"
        )
    elif status == 413:
        hint = "the graph is larger than the server accepts; raise its upload limit"
    else:
        body = _clean(response.text)
        hint = f"it said: {body}" if body else "it gave no reason"
    return PushError(f"{what} for PUT {_shown(url)}; {hint}")


def upload(
    data: bytes,
    endpoint: str,
    graph: str,
    credentials: Credentials = Credentials(),
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
            f"graph '{_clean(graph)}' is not an absolute IRI; write e.g. "
            "https://example.org/timeline/dataset"
        )
    if retries < 0 or backoff < 0:
        raise PushError("--retries and --backoff cannot be negative")
    url = _endpoint(endpoint).copy_merge_params({"graph": graph})
    headers = {"Content-Type": CONTENT_TYPE, **credentials.headers()}
    reason = ""
    with httpx.Client(timeout=timeout, auth=credentials.auth()) as client:
        for attempt in range(1, retries + 2):
            progress(f"upload to {_shown(url)}" + (f" (attempt {attempt})" if attempt > 1 else ""))
            try:
                response = client.put(url, content=data, headers=headers)
            except httpx.ConnectError as exc:
                reason = f"could not connect ({_clean(str(exc)) or 'connection refused'})"
            except httpx.TimeoutException:
                reason = f"no answer within {timeout:g} s"
            except httpx.TransportError as exc:
                reason = f"the connection failed ({_clean(str(exc)) or type(exc).__name__})"
            else:
                if response.status_code < 300:
                    return response.status_code, attempt
                if response.status_code < 500:
                    raise _client_error(response, url)
                reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            if attempt <= retries:
                sleep(backoff * 2 ** (attempt - 1))
    tries = f"{retries + 1} attempt{'s' if retries else ''}"
    raise PushError(
        f"push to {_shown(url)} failed after {tries}: {reason}; is the triple store "
        "running and reachable?"
    )


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
        endpoint=_shown(httpx.URL(endpoint)),
        graph=target,
        triples=triples,
        status=status,
        attempts=attempts,
        summary=summary,
    )
