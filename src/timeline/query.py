"""SPARQL over a built graph: an in-memory pyoxigraph store, saved queries and bound parameters.

Why pyoxigraph and not rdflib's own engine: on the same synthetic graphs it loads and answers
20x to 100x faster (``bench/bench_query.py``; FINDINGS.md has the 1M-triple figures). rdflib stays
the graph API of the RDF exporter; this module hands its N-Triples to pyoxigraph.

Parameters are bound with pyoxigraph's initial bindings (``substitutions``), never pasted into
the query text: a value is first resolved to a typed RDF term (an actor id becomes the actor's
IRI under the build's base, a date becomes an ``xsd:date``), so no input can change the query.

Time limit: pyoxigraph cannot cancel a running query, but it releases the GIL while it works, so
each query runs in a daemon worker thread that the caller abandons when the limit passes. The
abandoned thread keeps its CPU until the query ends; a `Slots` object counts such threads so that
a server refuses new queries instead of piling them up (see serve.py).
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyoxigraph as ox

from timeline.dates import window_day
from timeline.errors import QueryError, TimelineError
from timeline.names import did_you_mean, fold
from timeline.progress import Progress, quiet

if TYPE_CHECKING:
    from timeline.remote import RemoteStore

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Kind = Literal["select", "ask", "graph"]

DEFAULT_TIMEOUT = 30.0
GRAPH_SUFFIXES = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}
FORMATS = ("table", *RESULT_FORMATS, *GRAPH_FORMATS)
PARAM_KINDS = (
    "actor",
    "event",
    "claim",
    "source",
    "fact",
    "from-date",
    "to-date",
    "string",
    "integer",
)

_NS = "https://example.org/timeline/ns#"
_DCT_ID = ox.NamedNode("http://purl.org/dc/terms/identifier")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_NAME_PROPS = (
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATASET = ox.NamedNode(_NS + "Dataset")
_PARAM_LINE = re.compile(
    r"^#\s*@param\s+([A-Za-z_]\w*)\s*\(\s*([a-z-]+)\s*(?:,\s*(optional)\s*)?\)\s*:?\s*(.*)$"
)
_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)
# What must not run: federated queries reach the network; updates would change the store.
_TOKENS = re.compile(r"""#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<[^<>"{}|^`\\\s]*>""")
_UPDATE = re.compile(
    r"(?<![\w:?$-])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|COPY|MOVE|ADD)"
    r"(?![\w:-])",
    re.I,
)
_SERVICE = re.compile(r"(?<![\w:?$-])SERVICE(?![\w:-])", re.I)


@dataclass(frozen=True)
class Param:
    """A declared query parameter: its name (the SPARQL variable), kind and help text."""

    name: str
    kind: str
    help: str = ""
    required: bool = True


@dataclass(frozen=True)
class SavedQuery:
    """A query shipped in ``timeline/queries/NAME.rq``; its header comments declare parameters."""

    name: str
    title: str
    text: str
    params: tuple[Param, ...]


def parse_params(text: str) -> tuple[Param, ...]:
    """The ``# @param NAME (KIND[, optional]): help`` lines of a query's header comment."""
    params = []
    for line in text.splitlines():
        m = _PARAM_LINE.match(line.strip())
        if not m:
            continue
        name, kind, optional, help_text = m.groups()
        if kind not in PARAM_KINDS:
            raise QueryError(
                f"parameter '{name}' has unknown kind '{kind}'; kinds are {', '.join(PARAM_KINDS)}"
            )
        params.append(Param(name, kind, help_text.strip(), required=optional is None))
    return tuple(params)


def _title(text: str) -> str:
    """The header comment before the first ``@param`` line, joined into one line."""
    words = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("#") or "@param" in line:
            break
        words.append(line.lstrip("# ").strip())
    return " ".join(w for w in words if w)


def saved_queries() -> dict[str, SavedQuery]:
    """Every saved query shipped with timeline, by name."""
    found = {}
    for entry in sorted(
        resources.files("timeline").joinpath("queries").iterdir(), key=lambda e: e.name
    ):
        if entry.name.endswith(".rq"):
            text = entry.read_text(encoding="utf-8")
            name = entry.name[:-3]
            found[name] = SavedQuery(name, _title(text), text, parse_params(text))
    return found


def saved_query(name: str) -> SavedQuery:
    """The saved query called `name`; an unknown name lists the available ones."""
    known = saved_queries()
    if name not in known:
        hint = did_you_mean(name, known, n=1, cutoff=0.5)
        raise QueryError(f"no saved query '{name}'{hint}; available: {', '.join(known)}")
    return known[name]


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a query returned: rows of RDF terms, a boolean, or serialized bytes."""

    kind: Kind
    base: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    data: bytes | None = None
    format: str = "table"
    media_type: str = ""

    def cells(self) -> list[list[str]]:
        """Rows as display strings: IRIs shortened (``actor/nicolas-maduro``, ``role:agent``)."""
        return [[display(t, self.base) for t in row] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values (numbers and booleans typed), e.g. for a DataFrame."""
        return [
            {c: python_value(t, self.base) for c, t in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]


def _prefixes(base: str) -> dict[str, str]:
    from timeline.vocab import PREFIXES

    out = {k: str(v) for k, v in PREFIXES.items()}
    out.update({k: f"{base}{k}/" for k in ("actor", "event", "claim", "source")})
    return out


def display(term: Term | None, base: str) -> str:
    """A short human form of a term: base-relative or prefixed IRIs, literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(base):
            return iri[len(base) :]
        for prefix, ns in _short_prefixes():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return f"<{iri}>"
    return str(term)


def python_value(term: Term | None, base: str) -> Any:
    """A Python value for a term: int, float, bool or str (IRIs shortened as in `display`)."""
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in (_XSD + "integer", _XSD + "int", _XSD + "long"):
                return int(term.value)
            if dt in (_XSD + "decimal", _XSD + "double", _XSD + "float"):
                return float(term.value)
        except ValueError:
            return term.value
        if dt == _XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return display(term, base) if term is not None else None


@functools.lru_cache(maxsize=1)
def _short_prefixes() -> list[tuple[str, str]]:
    from timeline.vocab import PREFIXES

    # longest namespace first, so role:agent wins over a shorter namespace that contains it
    return sorted(((k, str(v)) for k, v in PREFIXES.items()), key=lambda kv: -len(kv[1]))


# --- the engine -------------------------------------------------------------------------------


class Slots:
    """At most `n` queries running at once, counting abandoned (timed-out) ones until they end;
    a query waits up to `wait` seconds for a slot (a short queue) before it is turned away."""

    def __init__(self, n: int, wait: float = 0.0) -> None:
        self._sem = threading.BoundedSemaphore(n)
        self.wait = wait

    def acquire(self) -> bool:
        if self.wait <= 0:
            return self._sem.acquire(blocking=False)
        return self._sem.acquire(timeout=self.wait)

    def release(self) -> None:
        self._sem.release()


class QueryTimeout(QueryError):
    """The query ran past its time limit and was abandoned."""


class QueryBusy(QueryError):
    """Every query slot is taken (by running or abandoned queries)."""


Chooser = Callable[[Kind], str]


@dataclass
class Engine:
    """An in-memory pyoxigraph store over one built graph, and the base its ids resolve against."""

    store: ox.Store | RemoteStore
    base: str
    source: str = ""
    folder: Path | None = None  # a build folder: its newest build is served (`refresh`)
    build: str = ""
    _names: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def refresh(self) -> None:
        """Over a build folder: switch to its current build if another build replaced it (a
        query already running keeps the store it started with; a new build that cannot be
        opened leaves the one being served)."""
        if self.folder is None:
            return
        from timeline.store import CURRENT, StoreError, open_built

        with self._lock:
            try:  # the link names the build: the manifest is read only when it changed
                if os.path.basename(os.readlink(self.folder / CURRENT)) == self.build:
                    return
            except OSError:
                pass
            try:
                built = open_built(self.folder)
                if built.id == self.build:
                    return
                store = built.store()
            except StoreError:
                return
            self.store, self.base, self.build, self._names = store, built.base, built.id, {}

    def __len__(self) -> int:
        return len(self.store)

    # parameters ------------------------------------------------------------------------------

    def bind(
        self, text: str, values: Mapping[str, str], declared: Iterable[Param] = ()
    ) -> dict[ox.Variable, Term]:
        """Resolve `values` to typed RDF terms keyed by variable; undeclared ones are strings."""
        params = {p.name: p for p in declared}
        for p in params.values():
            if p.required and p.name not in values:
                raise QueryError(
                    f"missing parameter '{p.name}' ({p.kind}): add "
                    f"--param {p.name}=VALUE{'; ' + p.help if p.help else ''}"
                )
        out: dict[ox.Variable, Term] = {}
        for name, value in values.items():
            if name in params:
                p = params[name]
            else:
                if not re.search(rf"[?$]{re.escape(name)}(?!\w)", text):
                    known = ", ".join(params) or "none"
                    raise QueryError(
                        f"the query has no variable ?{name} to bind "
                        f"(its declared parameters: {known})"
                    )
                p = Param(name, "string")
            out[ox.Variable(name)] = self.resolve(p, value)
        return out

    def resolve(self, param: Param, value: str) -> Term:
        """One parameter value as an RDF term, checked against the graph for entity kinds."""
        kind = param.kind
        if kind in ("from-date", "to-date"):
            try:
                day = window_day(value, last=kind == "to-date")
            except ValueError as exc:
                raise QueryError(f"parameter '{param.name}': {exc}") from None
            return ox.Literal(day.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        if kind == "integer":
            try:
                return ox.Literal(int(value))
            except ValueError:
                raise QueryError(
                    f"parameter '{param.name}': '{value}' is not a whole number"
                ) from None
        if kind == "string":
            return ox.Literal(value)
        if kind == "fact":
            if self._known("event", value) or self._known("claim", value):
                return ox.Literal(value)
            ids = {**self._ids("event"), **self._ids("claim")}
            raise QueryError(
                f"parameter '{param.name}': no event or claim '{value}'{_suggest(value, ids)}"
            )
        found = self._known(kind, value)
        if found is not None:  # an id: one lookup, never a scan of every id (100k events)
            return found
        if kind == "actor":
            names = self._actor_names()
            matches = sorted(names.get(_fold(value), set()))
            if len(matches) == 1:
                return ox.NamedNode(f"{self.base}actor/{matches[0]}")
            if len(matches) > 1:
                raise QueryError(
                    f"parameter '{param.name}': '{value}' names several actors: "
                    f"{', '.join(matches)}; give one id"
                )
            # a misspelt name ("madur") is closest to a name or alias, not always to an id
            close = difflib.get_close_matches(_fold(value), list(names), n=3, cutoff=0.7)
            similar = sorted({i for name in close for i in names[name]})
            if similar:
                raise QueryError(
                    f"parameter '{param.name}': no actor '{value}' (did you mean "
                    f"{' or '.join(repr(i) for i in similar[:3])}?)"
                )
        ids = self._ids(kind)
        raise QueryError(f"parameter '{param.name}': no {kind} '{value}'{_suggest(value, ids)}")

    def _known(self, kind: str, ident: str) -> ox.NamedNode | None:
        """The IRI of the `kind` with this id, when the graph has one."""
        try:
            iri = ox.NamedNode(f"{self.base}{kind}/{ident}")
        except ValueError:  # not an IRI: no id
            return None
        if "/" in ident or next(self.store.quads_for_pattern(iri, _DCT_ID, None), None) is None:
            return None
        return iri

    def _ids(self, kind: str) -> dict[str, str]:
        """Ids of one kind of entity (``actor``) mapped to their IRIs, read once from the store."""
        with self._lock:  # read from the store that the names are kept for
            if not self._names:
                prefix = {k: f"{self.base}{k}/" for k in ("actor", "event", "claim", "source")}
                found: dict[str, dict[str, str]] = {k: {} for k in prefix}
                for quad in self.store.quads_for_pattern(None, _DCT_ID, None):
                    iri = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
                    for k, p in prefix.items():
                        if iri.startswith(p) and "/" not in iri[len(p) :]:
                            found[k][_text(quad.object)] = iri
                self._names.update(found)
            return self._names.get(kind, {})

    def _actor_names(self) -> dict[str, set[str]]:
        """Folded actor names and aliases -> the ids that carry them (labels alone are read)."""
        prefix = f"{self.base}actor/"
        names: dict[str, set[str]] = {}
        for prop in _NAME_PROPS:
            for quad in self.store.quads_for_pattern(None, prop, None):
                iri = _text(quad.subject)
                if iri.startswith(prefix) and "/" not in iri[len(prefix) :]:
                    names.setdefault(_fold(_text(quad.object)), set()).add(iri[len(prefix) :])
        return names

    # running ---------------------------------------------------------------------------------

    def run(
        self,
        text: str,
        params: Mapping[str, str] | None = None,
        *,
        declared: Iterable[Param] | None = None,
        fmt: str | Chooser = "table",
        timeout: float | None = DEFAULT_TIMEOUT,
        slots: Slots | None = None,
    ) -> Answer:
        """Run a read-only query with bound parameters, within `timeout` seconds.

        `fmt` is ``table`` (rows of terms), a results format (csv, tsv, json, xml) or a graph
        format (turtle, ntriples), or a function choosing one once the query kind is known.
        """
        check_read_only(text)
        self.refresh()
        subs = self.bind(text, params or {}, parse_params(text) if declared is None else declared)
        prefixes = _prefixes(self.base)

        def work() -> Answer:
            try:
                results = self.store.query(text, prefixes=prefixes, substitutions=subs or None)
                return self._collect(results, fmt)
            except SyntaxError as exc:
                raise syntax_error(text, exc) from None
            except RuntimeError as exc:
                raise QueryError(_runtime_message(str(exc))) from None
            except OSError as exc:
                raise QueryError(f"query failed: {exc}") from None

        return in_worker(work, timeout, slots)

    def _collect(self, results: Any, fmt: str | Chooser) -> Answer:
        kind: Kind = (
            "select"
            if isinstance(results, ox.QuerySolutions)
            else "ask"
            if isinstance(results, ox.QueryBoolean)
            else "graph"
        )
        name = fmt(kind) if callable(fmt) else fmt
        if kind == "graph":
            if name == "table":
                name = "turtle"
            if name not in GRAPH_FORMATS:
                raise QueryError(
                    f"a {_KEYWORD[kind]} query returns triples; choose --format "
                    f"{' or '.join(GRAPH_FORMATS)}"
                )
            rdf = GRAPH_FORMATS[name]
            data = results.serialize(format=rdf)
            return Answer(kind, self.base, data=data, format=name, media_type=rdf.media_type)
        if name in GRAPH_FORMATS:
            raise QueryError(
                f"a {_KEYWORD[kind]} query returns a table; choose --format "
                f"table, {', '.join(RESULT_FORMATS)}"
            )
        if name != "table":
            rf = RESULT_FORMATS[name]
            return Answer(
                kind,
                self.base,
                data=results.serialize(format=rf),
                format=name,
                media_type=rf.media_type,
            )
        if kind == "ask":
            return Answer(kind, self.base, boolean=bool(results))
        columns = tuple(v.value for v in results.variables)
        rows = tuple(tuple(sol[i] for i in range(len(columns))) for sol in results)
        return Answer(kind, self.base, columns=columns, rows=rows)


_KEYWORD = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT or DESCRIBE"}


def in_worker(
    work: Callable[[], Answer], timeout: float | None, slots: Slots | None = None
) -> Answer:
    """Run `work` in a daemon thread and give up waiting after `timeout` seconds."""
    if slots is not None and not slots.acquire():
        raise QueryBusy(
            "the server is busy with other queries (some may be past their time "
            "limit and still finishing); try again shortly"
        )
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["answer"] = work()
        except TimelineError as exc:
            # pyoxigraph results must be dropped on the thread that made them: forget the
            # frames (and the parser's exception) that still reference them
            exc.__context__ = exc.__cause__ = None
            box["error"] = exc.with_traceback(None)
        except Exception as exc:  # a bug: re-raised in the caller with its traceback
            box["bug"] = exc
        finally:
            if slots is not None:
                slots.release()

    thread = threading.Thread(target=target, name="timeline-query", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryTimeout(
            f"the query ran past the time limit of {timeout:g} s and was "
            "stopped; narrow it (LIMIT, a date window, a bound parameter) or "
            "raise --timeout"
        )
    if "error" in box:
        raise box["error"]
    if "bug" in box:
        raise box["bug"]
    answer: Answer = box["answer"]
    return answer


def masked(text: str) -> str:
    """`text` with comments, strings and IRIs blanked out (same length), so that keywords,
    variables and braces are found only in the query's own code."""
    return _TOKENS.sub(lambda m: " " * len(m.group(0)), text)


def check_read_only(text: str) -> None:
    """Refuse updates and federated queries (SERVICE would reach the network)."""
    code = masked(text)
    m = _SERVICE.search(code)
    if m:
        raise QueryError(
            f"SERVICE is not allowed (line {_line(code, m.start())}): timeline "
            "queries its own graph offline"
        )
    m = _UPDATE.search(code)
    if m:
        raise ReadOnly(
            f"{m.group(1).upper()} is an update (line {_line(code, m.start())}); "
            "the graph is read-only: only SELECT, ASK, CONSTRUCT and DESCRIBE run"
        )


class ReadOnly(QueryError):
    """The text is a SPARQL update; the store is read-only."""


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def syntax_error(text: str, exc: SyntaxError) -> QueryError:
    """A QueryError that shows where the parser stopped, with the line and a caret."""
    message = str(exc)
    m = _POSITION.match(message)
    if not m:
        return QueryError(f"SPARQL syntax error: {message}")
    line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    caret = " " * (column - 1) + "^"
    return QueryError(
        f"SPARQL syntax error at line {line}, column {column}: {detail}\n  {source}\n  {caret}"
    )


def _runtime_message(message: str) -> str:
    m = re.search(r"variable \?(\w+) in its SELECT projection", message)
    if m:
        return (
            f"parameter '{m.group(1)}' must be listed in the query's SELECT clause to be "
            f"bound (SELECT ?{m.group(1)} ... or SELECT *)"
        )
    return f"query failed: {message}"


def _text(term: Any) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""


def _fold(text: str) -> str:
    """'Nicolás Maduro' -> 'nicolas-maduro', so a name finds its actor whatever the accents."""
    return fold(text)


def _suggest(value: str, known: Mapping[str, str]) -> str:
    return did_you_mean(value, known, containing=True)


# --- loading ----------------------------------------------------------------------------------


def open_graph(path: Any, base: str | None = None, progress: Progress = quiet) -> Engine:
    """An engine over a build folder (its store, opened read-only), a graph file (``.ttl``,
    ``.nt``), a dataset (YAML, folder, ``-``) or a remote endpoint (`timeline.remote.Remote`).

    A dataset is built in memory first; a graph file is read as it is, and its base is found
    from its ``tl:Dataset`` node (``{base}dataset``).
    """
    from timeline.net import Remote
    from timeline.store import is_build_folder, open_built, same_base
    from timeline.vocab import DEFAULT_BASE

    if isinstance(path, Remote):  # timeline.remote (httpx) is imported only for a store
        from timeline.remote import open_endpoint

        return open_endpoint(path, base=base, progress=progress)
    p = Path(path)
    if is_build_folder(p):
        built = open_built(p)
        if base is not None and not same_base(base, built):
            raise QueryError(
                f"{p} was built with base {built.base}; rebuild it with "
                f"--base {base} to query it under that base"
            )
        return Engine(built.store(), built.base, source=str(path), folder=p, build=built.id)
    store = ox.Store()
    if str(path) != "-" and p.suffix in GRAPH_SUFFIXES:
        progress("load graph")
        try:
            store.load(path=str(p), format=GRAPH_SUFFIXES[p.suffix])
        except FileNotFoundError:
            raise QueryError(
                f"{p}: no such file; build it with: timeline build DATA -o {p.parent}/"
            ) from None
        except IsADirectoryError:
            raise QueryError(f"{p}: is a folder, not a graph file") from None
        except SyntaxError as exc:
            raise QueryError(f"{p}: not valid {p.suffix[1:]}: {exc}") from None
        found = base or _graph_base(store) or DEFAULT_BASE
    else:
        from timeline.export.rdf import Iris, ntriples
        from timeline.source import read_build

        build = read_build(path, base=base, progress=progress)
        progress("RDF")
        data = ntriples(build)
        progress("load graph")
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
        found = Iris(build.base or build.dataset.dataset.base).base
    return Engine(store, found, source=str(path))


def _graph_base(store: ox.Store) -> str | None:
    for quad in store.quads_for_pattern(None, _TYPE, _DATASET):
        iri = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
        if iri.endswith("/dataset"):
            return iri[: -len("dataset")]
    return None


def query(
    path: Any,
    *,
    name: str | None = None,
    sparql: str | None = None,
    file: str | Path | None = None,
    params: Mapping[str, str] | None = None,
    fmt: str = "table",
    timeout: float | None = DEFAULT_TIMEOUT,
    base: str | None = None,
    progress: Progress = quiet,
) -> Answer:
    """Run a saved query (`name`), inline SPARQL or a query file against a dataset or graph."""
    given = [x for x in (name, sparql, file) if x is not None]
    if len(given) != 1:
        raise QueryError(
            "give exactly one query: a saved query NAME, --sparql TEXT or "
            "--file PATH (see timeline query --list)"
        )
    if fmt not in FORMATS:
        raise QueryError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    declared: tuple[Param, ...] | None = None
    if name is not None:
        saved = saved_query(name)
        text, declared = saved.text, saved.params
    elif file is not None:
        text = _read_query(file)
    else:
        text = sparql or ""
    check_read_only(text)
    engine = open_graph(path, base=base, progress=progress)
    progress("query")
    return engine.run(text, params, declared=declared, fmt=fmt, timeout=timeout)


def _read_query(file: str | Path) -> str:
    import sys

    if str(file) == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"{file}: no such query file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{file}: cannot read: {exc}") from None


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["actor=maduro", "from=2026-01"]`` -> a dict; a malformed item says how to write it."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise QueryError(
                f"--param '{item}' is not NAME=VALUE; write e.g. --param actor=nicolas-maduro"
            )
        if key in out:
            raise QueryError(f"--param {key} is given twice; give it once")
        out[key] = value
    return out
