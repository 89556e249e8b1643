"""A local, read-only SPARQL 1.1 Protocol endpoint over a built graph, plus the HTML view.

Standard library only (`http.server`): the store is the same in-memory pyoxigraph engine as
`timeline query`. Routes:

- ``GET /sparql?query=...``, ``POST /sparql`` (form ``query=...`` or ``application/sparql-query``):
  results as JSON, XML, CSV or TSV (SELECT, ASK) or Turtle, N-Triples (CONSTRUCT, DESCRIBE),
  chosen by the ``Accept`` header (or ``?format=csv``).
- ``GET /queries`` lists the saved queries; ``GET /queries/NAME?actor=maduro`` runs one with its
  parameters bound (never pasted into the text).
- ``GET /`` serves the HTML view file when it exists.

Updates are refused with 403 (SPARQL text, ``update=`` forms, ``application/sparql-update``) and
other methods with 405. Each query has a time limit; an over-long query is abandoned (see
query.py) and answered 503, and while abandoned queries still run, their slots stay taken, so a
flood of slow queries gets 503 "busy" instead of eating every core. A query finding every slot
taken waits up to QUEUE_WAIT seconds for one: a burst of quick queries queues rather than being
turned away (bench/bench_serve_load.py); a connection silent for IDLE seconds is closed. A
local build is read-only, so answers are kept (`Answers`) and sent again with an ETag: a
repeated query costs no slot, and a client that sends If-None-Match gets 304.
Requests whose Host header is not this server's are refused, so a web page cannot reach it
through DNS rebinding.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from timeline.errors import TimelineError
from timeline.progress import Progress, quiet
from timeline.query import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Engine,
    Kind,
    QueryBusy,
    QueryError,
    QueryTimeout,
    ReadOnly,
    Slots,
    open_graph,
    saved_queries,
)

MAX_BODY = 1024 * 1024
QUEUE_WAIT = 2.0
"""Seconds a query waits for a free slot before the answer is 503 busy (with Retry-After).
Measured at 10k events with 50 clients: waiting up to the 10 s time limit instead turned fewer
clients away (18 of 1,024) but answered fewer queries (1,006 against 1,379 in 60 s), p99 10 s."""
IDLE = 30.0
"""Seconds a connection may stay silent (no request, or a request not sent in full) before it
is closed: a client that connects and sends nothing holds one thread, and not for long."""
MAX_RESULT = 64 * 1024 * 1024
"""The largest answer the endpoint sends, in bytes; beyond it the client is told to add LIMIT."""
ANSWERS_BUDGET = 128 * 1024 * 1024
"""Bytes of answers kept for repeated queries (a build is read-only, so the same query with the
same parameters and format gets the same bytes until the next build); least recently used go
first, and an answer over an eighth of it is not kept."""


class Answers:
    """Answers of a read-only build, by (build, query, parameters, format): a repeated query is
    answered without running it, and concurrent requests for the same uncached answer run it
    once (the others wait for that run)."""

    def __init__(self, budget: int = ANSWERS_BUDGET) -> None:
        self.budget, self.size = budget, 0
        self._kept: OrderedDict[tuple[Any, ...], tuple[str, bytes]] = OrderedDict()
        self._running: dict[tuple[Any, ...], Future[tuple[str, bytes]]] = {}
        self._lock = threading.Lock()

    def get(
        self,
        key: tuple[Any, ...],
        make: Callable[[], tuple[str, bytes]],
        keep: Callable[[], bool] = lambda: True,
    ) -> tuple[str, bytes]:
        """(media type, body) for `key`, from `make` when not kept; its exceptions propagate
        to every waiting request and nothing is kept. An answer is kept only if `keep()` says
        so once it is made (the build it came from is still the key's). Keys count against
        the budget too: a query's text may be as long as its answer."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
            running = self._running.get(key)
            leader = running is None
            if running is None:
                running = self._running[key] = Future()
        if not leader:
            return running.result()
        try:
            answer = make()
        except BaseException as exc:
            running.set_exception(exc)
            with self._lock:
                del self._running[key]
            raise
        running.set_result(answer)
        weight = _weight(key, answer[1])
        with self._lock:
            del self._running[key]
            if weight <= self.budget // 8 and key not in self._kept and keep():
                self._kept[key] = answer
                self.size += weight
                while self.size > self.budget:
                    old, (_, body) = self._kept.popitem(last=False)
                    self.size -= _weight(old, body)
        return answer


def _weight(key: tuple[Any, ...], body: bytes) -> int:
    """What an answer costs to keep: its body and the text of its key."""
    return len(body) + sum(len(str(part)) for part in key)


# media type -> format name, for each kind of result
_RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
}


class ServeError(TimelineError):
    """The endpoint could not start (port taken, bad address)."""


class NotAcceptable(QueryError):
    """No format the client accepts fits this kind of result."""


def negotiate(accept: str | None, kind: Kind, forced: str | None = None) -> str:
    """The format to answer with, from an Accept header (q-values honoured) or ``?format=``."""
    allowed = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
    if forced:
        if forced not in allowed:
            raise NotAcceptable(
                f"format '{forced}' does not fit a {kind} result; choose {', '.join(allowed)}"
            )
        return forced
    types = _GRAPH_TYPES if kind == "graph" else _RESULT_TYPES
    default = "turtle" if kind == "graph" else "json"
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept or "*/*").split(",")):
        media, *options = (p.strip() for p in part.split(";"))
        q = 1.0
        for opt in options:
            if opt.startswith("q="):
                try:
                    q = float(opt[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, media.lower()))
    for _, _, media in sorted(ranked):
        if media in types:
            return types[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    wanted = ", ".join(types)
    raise NotAcceptable(f"cannot answer a {kind} query in '{accept}'; accepted: {wanted}")


class Endpoint(ThreadingHTTPServer):
    """The HTTP server: one engine, one view file, a time limit and a number of query slots."""

    daemon_threads = True

    def __init__(
        self,
        engine: Engine,
        host: str,
        port: int,
        view: Path | RemoteView | None,
        timeout: float,
        slots: int,
        max_result: int = MAX_RESULT,
    ) -> None:
        super().__init__((host, port), Handler)
        self.engine = engine
        self.max_result = max_result
        self.view = view
        self.timeout = timeout
        self.slots = Slots(slots, wait=min(QUEUE_WAIT, timeout))
        # a remote store may change under us: only a local build's answers are kept
        self.answers = Answers() if isinstance(engine.store, ox.Store) else None
        self.saved = saved_queries()
        bound_port = self.server_address[1]
        names = {host, "localhost", "127.0.0.1", "[::1]"}
        self.hosts = {f"{n}:{bound_port}" for n in names} | names
        self.any_host = host in ("0.0.0.0", "::", "")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}/"


class Handler(BaseHTTPRequestHandler):
    server: Endpoint
    server_version = "timeline-sparql"
    protocol_version = "HTTP/1.1"
    timeout = IDLE

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows the ready line and errors only

    # routing ---------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        args = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/sparql", "/query"):
            if "update" in args:
                return self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            if "query" not in args:
                return self._error(
                    HTTPStatus.BAD_REQUEST, "give a query: GET /sparql?query=SELECT..."
                )
            return self._run(args["query"][0], {}, None, _first(args, "format"))
        if url.path == "/queries":
            listing = [
                {
                    "name": s.name,
                    "description": s.title,
                    "parameters": [
                        {"name": p.name, "kind": p.kind, "required": p.required, "help": p.help}
                        for p in s.params
                    ],
                }
                for s in self.server.saved.values()
            ]
            return self._send(
                HTTPStatus.OK, "application/json", json.dumps(listing, indent=2).encode()
            )
        if url.path.startswith("/queries/"):
            name = url.path[len("/queries/") :]
            saved = self.server.saved.get(name)
            if saved is None:
                return self._error(HTTPStatus.NOT_FOUND, f"no saved query '{name}'; see /queries")
            fmt = _first(args, "format")
            params = {k: v[0] for k, v in args.items() if k != "format"}
            return self._run(saved.text, params, saved.params, fmt)
        if url.path in ("/", "/view.html"):
            return self._view()
        return self._error(HTTPStatus.NOT_FOUND, "not found: try /sparql, /queries or /")

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        if url.path == "/update":  # the SPARQL 1.1 Protocol's update route: say why not
            return self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
        if url.path not in ("/sparql", "/query"):
            return self._error(HTTPStatus.NOT_FOUND, "POST queries to /sparql")
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():
            self.close_connection = True  # the body's end is unknown: do not read on
            return self._error(
                HTTPStatus.BAD_REQUEST, f"Content-Length '{declared[:40]}' is not a number of bytes"
            )
        length = int(declared)
        if length > MAX_BODY:
            self.close_connection = True
            return self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY} bytes"
            )
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fmt = _first(parse_qs(url.query), "format")
        if ctype == "application/sparql-update":
            return self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
        if ctype == "application/sparql-query":
            return self._run(body, {}, None, fmt)
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
            if "update" in form:
                return self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            if "query" in form:
                return self._run(form["query"][0], {}, None, fmt or _first(form, "format"))
            return self._error(HTTPStatus.BAD_REQUEST, "the form has no 'query' field")
        return self._error(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "send application/sparql-query or a form with query=...",
        )

    def _refuse(self) -> None:
        if not self._host_ok():
            return
        self._error(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "read-only endpoint: use GET or POST",
            {"Allow": "GET, POST"},
        )

    do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815

    # helpers ---------------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        if self.server.any_host or host in self.server.hosts:
            return True
        self._error(HTTPStatus.FORBIDDEN, f"unexpected Host header '{host}'")
        return False

    def _run(self, text: str, params: dict[str, str], declared: Any, fmt: str | None) -> None:
        accept = self.headers.get("Accept")
        engine = self.server.engine
        try:
            if self.server.answers is None:
                media, body = self._answer(text, params, declared, accept, fmt)
            else:
                engine.refresh()  # the key names the build that answers
                build = engine.build
                key = (build, text, tuple(sorted(params.items())), accept, fmt)
                media, body = self.server.answers.get(
                    key,
                    lambda: self._answer(text, params, declared, accept, fmt),
                    keep=lambda: engine.build == build,  # no new build landed meanwhile
                )
        except NotAcceptable as exc:
            return self._error(HTTPStatus.NOT_ACCEPTABLE, str(exc))
        except ReadOnly as exc:
            return self._error(HTTPStatus.FORBIDDEN, str(exc))
        except (QueryTimeout, QueryBusy) as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc), {"Retry-After": "5"})
        except TimelineError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, str(exc))
        if len(body) > self.server.max_result:
            return self._error(
                HTTPStatus.BAD_REQUEST,
                f"the result is larger than this endpoint's limit of "
                f"{self.server.max_result} bytes; add LIMIT or narrow the query",
            )
        if self.server.answers is None:
            return self._send(HTTPStatus.OK, media, body)
        # the same build gives the same bytes: a client that has them is told so (304)
        tag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        held = [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]
        if tag in held or "*" in held:
            return self._not_modified(tag)
        self._send(HTTPStatus.OK, media, body, {"ETag": tag, "Vary": "Accept"}, cache=True)

    def _not_modified(self, tag: str) -> None:
        """304: no body and no Content-Length (RFC 9110 15.4.5), the validator and caching
        headers a 200 would carry."""
        self.send_response(HTTPStatus.NOT_MODIFIED)
        for name, value in (("ETag", tag), ("Vary", "Accept"), ("Cache-Control", "no-cache")):
            self.send_header(name, value)
        self.end_headers()

    def _answer(
        self, text: str, params: dict[str, str], declared: Any, accept: str | None, fmt: str | None
    ) -> tuple[str, bytes]:
        """(media type, body) of one run of the query."""
        answer = self.server.engine.run(
            text,
            params,
            declared=declared,
            timeout=self.server.timeout,
            slots=self.server.slots,
            fmt=lambda kind: negotiate(accept, kind, fmt),
        )
        assert answer.data is not None
        media = answer.media_type
        return (media if "charset" in media else f"{media}; charset=utf-8"), answer.data

    def _view(self) -> None:
        view = self.server.view
        if isinstance(view, RemoteView):
            try:
                return self._send(HTTPStatus.OK, "text/html; charset=utf-8", view.page())
            except TimelineError as exc:
                return self._error(HTTPStatus.BAD_GATEWAY, f"the view could not be made: {exc}")
        folder = self.server.engine.folder
        if folder is not None and view == folder / "view.html":
            try:  # the current build's own file, never a link out of it
                from timeline.store import open_built

                fd = os.open(open_built(folder).folder / "view.html", os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "rb") as fh:
                    page = fh.read()
            except (OSError, TimelineError):
                return self._error(HTTPStatus.NOT_FOUND, "this build has no readable view")
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", page)
        if view is None or not view.is_file():
            return self._error(
                HTTPStatus.NOT_FOUND,
                "no HTML view here: build one with "
                "timeline build DATA -o out/, then serve with --view "
                "out/view.html",
            )
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", view.read_bytes())

    def _error(
        self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers)

    def _send(
        self,
        status: HTTPStatus,
        media: str,
        body: bytes,
        headers: dict[str, str] | None = None,
        cache: bool = False,
    ) -> None:
        """Send an answer; `cache`: the client may keep it if it asks again first (no-cache:
        with its ETag), since the next build may change it."""
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache" if cache else "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class RemoteView:
    """The view of a remote store's dataset: made from its graph when first asked for (the whole
    graph is read once), then kept; `timeline serve` restarted makes it again."""

    def __init__(self, remote: Any) -> None:
        self.remote = remote
        self._page: bytes | None = None
        self._lock = threading.Lock()

    def page(self) -> bytes:
        with self._lock:
            if self._page is None:
                from timeline.export.html import render_view
                from timeline.remote import fetch_build

                self._page = render_view(fetch_build(self.remote))
            return self._page


def _first(args: dict[str, list[str]], key: str) -> str | None:
    values = args.get(key)
    return values[0] if values else None


def make_server(
    engine: Engine,
    host: str = "127.0.0.1",
    port: int = 0,
    view: str | Path | RemoteView | None = None,
    timeout: float = 10.0,
    slots: int | None = None,
    max_result: int = MAX_RESULT,
) -> Endpoint:
    """An endpoint bound to `host:port` (port 0 picks a free one), not yet serving."""
    try:
        return Endpoint(
            engine,
            host,
            port,
            view if isinstance(view, RemoteView) else Path(view) if view else None,
            timeout,
            slots or max(2, os.cpu_count() or 2),
            max_result,
        )
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run_server(
    path: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 7070,
    view: str | Path | None = None,
    timeout: float = 10.0,
    base: str | None = None,
    progress: Progress = quiet,
    ready: Callable[[str, str], None] | None = None,
) -> None:
    """Open the build folder (or load the graph) at `path` and serve it until interrupted;
    `ready(url, what)` is told once the server listens (`what`: the build's counts from its
    manifest, else the number of triples: counting a store's triples reads all of them, 2.7 s
    at 100k events)."""
    from timeline.net import Remote

    engine = open_graph(path, base=base, progress=progress)
    shown: Path | RemoteView | None = Path(view) if view is not None else None
    if isinstance(path, Remote) and view is None:  # the store's own dataset
        shown = RemoteView(path)
    elif view is None:  # a build folder's own view (always its current build's), else out/'s
        shown = Path(path) / "view.html" if engine.folder is not None else Path("out/view.html")
    server = make_server(engine, host, port, shown, timeout)
    if ready is not None:
        if engine.folder is not None:  # the build being served, even if another replaced it
            from timeline.store import BUILDS, open_built

            try:
                what = str(open_built(engine.folder / BUILDS / engine.build).manifest["summary"])
            except TimelineError:
                what = f"build {engine.build}"
        else:
            what = f"{len(engine)} triples"
        ready(server.url, what)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
