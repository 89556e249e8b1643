"""The reading commands against a remote SPARQL 1.1 Protocol endpoint (a shared store).

`RemoteStore` answers the two calls `query.Engine` makes of a pyoxigraph store, `query` and
`quads_for_pattern`, by POSTing the query to the endpoint (Oxigraph ``/query``, Fuseki
``/DATASET/sparql``), so saved queries, inline SPARQL, parameter checks and `timeline serve` work
unchanged. The answer is parsed by pyoxigraph, so rows are the same RDF terms as a local run's.

Parameters: the SPARQL protocol has no initial bindings, so each bound value goes into the query
as a ``VALUES ?name { TERM }`` block at the start of every group in which the name is in scope
(the outer query's, and each subquery's that projects it): the term is written by pyoxigraph (an
IRI it checked, a literal with every quote escaped), never pasted from what the user typed, and
the selective pattern still leads the plan.

Which graph: `--graph IRI` (sent as ``default-graph-uri``); by default the store's one dataset:
the named graphs that hold it (as `timeline push` writes them, each recording the dataset's id),
or the default graph when none does; several datasets are listed, to choose one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pyoxigraph as ox

from timeline.errors import QueryError
from timeline.net import CREDENTIALS_HINT, Remote, Unreachable, clean, http_url, send, shown
from timeline.progress import Progress, quiet
from timeline.query import masked

EXAMPLE = "http://127.0.0.1:7878/query"

_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
_GRAPHS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
}
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"

_FORM = re.compile(r"(?<![\w:?$-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.I)
_WHERE = re.compile(r"(?<![\w:?$-])WHERE(?![\w:-])", re.I)
_VAR = re.compile(r"[?$]([A-Za-z_]\w*)")


class RemoteError(QueryError):
    """The endpoint could not be reached or gave an answer that is not SPARQL results."""


class RemoteUnreachable(RemoteError):
    """Every attempt failed: no connection, no answer in time, or 5xx answers."""

    def __init__(self, message: str, cause: Unreachable) -> None:
        super().__init__(message)
        self.cause = cause


# --- parameters as VALUES blocks --------------------------------------------------------------


@dataclass
class _Form:
    """One query form (the query or a subquery): where its WHERE group opens and closes, what
    it projects (None: everything, ``SELECT *`` or not a SELECT) and its enclosing form."""

    keyword: str
    at: int
    group: int  # offset of the group's "{"
    end: int  # offset of its matching "}"
    projects: frozenset[str] | None
    parent: _Form | None = None


def _closing(code: str, at: int) -> int:
    """The offset of the "}" matching the "{" at `at` (or the end when unbalanced)."""
    depth = 0
    for i in range(at, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(code)


def _forms(code: str) -> list[_Form]:
    forms: list[_Form] = []
    for m in _FORM.finditer(code):
        keyword = m.group(1).upper()
        i = m.end()
        if keyword == "CONSTRUCT":  # skip the template: the group follows WHERE
            rest = code[i:].lstrip()
            if rest.startswith("{"):
                i = _closing(code, code.index("{", i)) + 1
            where = _WHERE.search(code, i)
            if where is None:
                continue
            i = where.end()
            if code[i:].lstrip().startswith("{") and not rest.startswith("{"):
                raise QueryError(
                    "a parameter cannot be bound in the short form CONSTRUCT WHERE { ... } "
                    "against an endpoint; write CONSTRUCT { ... } WHERE { ... }"
                )
        # the projection (or DESCRIBE's list) runs to WHERE or to the group's "{", outside any
        # parentheses (an expression such as (COUNT(?x) AS ?n) belongs to it)
        depth, j = 0, i
        while j < len(code):
            c = code[j]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif depth == 0 and (c == "{" or _WHERE.match(code, j)):
                break
            j += 1
        head = code[i:j]
        group = code.find("{", j)
        if group < 0:
            continue
        projects: frozenset[str] | None = None
        if keyword == "SELECT" and "*" not in head.replace("(*)", ""):
            projects = frozenset(_VAR.findall(head))
        forms.append(_Form(keyword, m.start(), group, _closing(code, group), projects))
    for form in forms:  # the innermost form whose group holds this one's keyword
        around = [f for f in forms if f.group < form.at < f.end]
        form.parent = max(around, key=lambda f: f.group, default=None)
    return forms


def _in_scope(form: _Form, name: str) -> bool:
    if form.parent is None:
        return True
    return (form.projects is None or name in form.projects) and _in_scope(form.parent, name)


def with_values(text: str, values: Mapping[ox.Variable, Any]) -> str:
    """The query with each bound variable given its value by a VALUES block (see the module)."""
    if not values:
        return text
    code = masked(text)
    forms = _forms(code)
    if not forms:
        raise QueryError("no SELECT, ASK, CONSTRUCT or DESCRIBE with a WHERE group to bind in")
    top = forms[0]
    if top.keyword == "SELECT" and top.projects is not None:
        for var in values:
            if var.value not in top.projects:
                raise QueryError(
                    f"parameter '{var.value}' must be listed in the query's SELECT clause to be "
                    f"bound (SELECT ?{var.value} ... or SELECT *)"
                )
    inserts: dict[int, list[str]] = {}
    for var, term in values.items():
        block = f" VALUES ?{var.value} {{ {term} }}"
        for form in forms:
            if _in_scope(form, var.value):
                inserts.setdefault(form.group + 1, []).append(block)
    out = text
    for at in sorted(inserts, reverse=True):
        out = out[:at] + "".join(inserts[at]) + out[at:]
    return out


def with_prefixes(text: str, prefixes: Mapping[str, str] | None) -> str:
    """PREFIX lines for the prefixes the query uses without declaring them."""
    if not prefixes:
        return text
    code = masked(text)
    declared = set(re.findall(r"(?i)PREFIX\s+([\w-]*):", code))
    lines = [f"PREFIX {k}: <{v}>\n" for k, v in prefixes.items() if k not in declared]
    return "".join(lines) + text


# --- the store --------------------------------------------------------------------------------


class Triples:
    """The triples a CONSTRUCT or DESCRIBE returned, as a local query's result serializes them."""

    def __init__(self, data: bytes, fmt: ox.RdfFormat) -> None:
        self.data, self.format = data, fmt

    def serialize(self, format: ox.RdfFormat) -> bytes:  # noqa: A002 (pyoxigraph's name)
        out = ox.serialize(ox.parse(self.data, format=self.format), format=format)
        assert out is not None  # no output file given: the bytes are returned
        return out


class RemoteStore:
    """The part of pyoxigraph's `Store` interface that `query.Engine` uses, over HTTP."""

    def __init__(self, remote: Remote, progress: Progress = quiet) -> None:
        self.remote = remote
        self.url = http_url(remote.url, EXAMPLE, RemoteError)
        self.graphs: tuple[str, ...] = (remote.graph,) if remote.graph else ()
        self.progress = progress

    def query(
        self,
        text: str,
        prefixes: Mapping[str, str] | None = None,
        substitutions: Mapping[ox.Variable, Any] | None = None,
    ) -> Any:
        """Send the query; the answer as pyoxigraph's QuerySolutions, QueryBoolean or Triples."""
        try:  # a syntax error is shown here, at its line in the text given, as a local run does
            ox.Store().query(text, prefixes=dict(prefixes or {}))
        except (RuntimeError, OSError):  # an evaluation error on an empty store: not ours to say
            pass
        text = with_prefixes(with_values(text, substitutions or {}), prefixes)
        form: dict[str, Any] = {"query": text}
        if self.graphs:
            form["default-graph-uri"] = list(self.graphs)
        response = self._post(form)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media in _RESULTS:
                return ox.parse_query_results(response.content, format=_RESULTS[media])
            if media in _GRAPHS:
                return Triples(response.content, _GRAPHS[media])
        except SyntaxError as exc:
            raise RemoteError(
                f"{shown(self.url)} answered {media} that cannot be read ({clean(str(exc))})"
            ) from None
        raise RemoteError(
            f"{shown(self.url)} answered {media or 'without a content type'}, not SPARQL "
            f"results; is it the store's SPARQL query URL? e.g. {EXAMPLE} (Oxigraph) or "
            "http://HOST:3030/DATASET/sparql (Fuseki)"
        )

    def _post(self, form: dict[str, Any]) -> httpx.Response:
        r = self.remote
        # a client per query: nothing to close later, and `serve` may ask from many threads
        with httpx.Client(
            timeout=r.timeout,
            auth=r.credentials.auth(),
            headers={"Accept": ACCEPT, **r.credentials.headers()},
        ) as client:
            try:
                response, _ = send(
                    client,
                    "POST",
                    self.url,
                    retries=r.retries,
                    backoff=r.backoff,
                    what=f"query {shown(self.url)}",
                    progress=self.progress,
                    data=form,
                )
            except Unreachable as exc:
                raise RemoteUnreachable(
                    f"{shown(self.url)}: {exc.reason} after {exc.tries}; is the SPARQL endpoint "
                    "running and reachable? (--timeout sets the wait)",
                    exc,
                ) from None
            response.read()
        if response.status_code >= 300:
            raise _client_error(response, self.url)
        return response

    def select(self, text: str, prefixes: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """A SELECT's rows as {variable: term} (unbound variables left out)."""
        results = self.query(text, prefixes)
        names = [v.value for v in results.variables]
        return [{n: sol[i] for i, n in enumerate(names) if sol[i] is not None} for sol in results]

    def quads_for_pattern(
        self, subject: Any = None, predicate: Any = None, object: Any = None, graph: Any = None
    ) -> Iterator[ox.Quad]:
        """The triples matching a pattern (None matches anything), read when first asked for."""
        parts = [
            ("s", subject),
            ("p", predicate),
            ("o", object),
        ]
        pattern = " ".join(str(t) if t is not None else f"?{n}" for n, t in parts)
        for row in self.select(f"SELECT * WHERE {{ {pattern} }}"):
            s, p, o = (row.get(n, t) for n, t in parts)
            yield ox.Quad(s, p, o)

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"].value) if rows else 0


def _client_error(response: httpx.Response, url: httpx.URL) -> RemoteError:
    status = response.status_code
    what = f"{shown(url)} answered HTTP {status} {response.reason_phrase}".rstrip()
    if status in (401, 403):
        hint = CREDENTIALS_HINT
    elif status in (404, 405, 415):  # 415: e.g. Oxigraph's /store, its Graph Store URL
        hint = (
            f"is it the store's SPARQL query URL? e.g. {EXAMPLE} (Oxigraph) or "
            "http://HOST:3030/DATASET/sparql (Fuseki)"
        )
    else:
        body = clean(response.text)
        hint = f"it said: {body}" if body else "it gave no reason"
    return RemoteError(f"{what}; {hint}")


# --- which graph, which base ------------------------------------------------------------------


def vocabulary() -> dict[str, str]:
    """The vocabulary's prefixes (tl:, sem:, dcterms:, ...), for the queries written here."""
    from timeline.vocab import PREFIXES

    return {k: str(v) for k, v in PREFIXES.items()}


def open_endpoint(remote: Remote, base: str | None = None, progress: Progress = quiet) -> Any:
    """A query engine over the endpoint: the graphs chosen (see the module) and the base its
    ids resolve against (from the dataset node that `timeline push` sent)."""
    from timeline.query import Engine

    store = RemoteStore(remote, progress)
    found = _datasets(store)
    store.graphs = (remote.graph,) if remote.graph else ()
    if remote.graph is None:
        named = sorted({f for f in found if f.graph})
        if named:
            # one dataset, perhaps in several graphs: their union; several datasets: ask
            if len({(f.pushed, f.node) for f in named}) > 1:
                listing = ", ".join(
                    f"<{f.graph}>" + (f" ({f.pushed})" if f.pushed else "") for f in named
                )
                raise RemoteError(
                    f"{shown(store.url)} holds several timeline datasets: {listing}; choose one "
                    "with --graph IRI"
                )
            store.graphs = tuple(str(f.graph) for f in named)
        found = named or found
    else:
        found = [f for f in found if f.graph == remote.graph]
        if not found and base is None:
            raise RemoteError(
                f"{shown(store.url)} has no timeline dataset in graph <{remote.graph}>; "
                "push one there with: timeline push out/ --graph IRI --endpoint STORE_URL"
            )
    nodes = sorted({f.node for f in found})
    if base is None:
        if not nodes:
            raise RemoteError(
                f"{shown(store.url)} holds no timeline dataset; push one with: "
                "timeline push out/ --endpoint STORE_URL (or give --base)"
            )
        base = nodes[0][: -len("dataset")]
    return Engine(store, base, source=shown(store.url))


@dataclass(frozen=True, order=True)
class _Found:
    """A timeline dataset in the store: its graph (None: the default graph), its dataset node,
    and the dataset id `timeline push` recorded for the graph ("" when none)."""

    graph: str | None
    node: str
    pushed: str = ""


def _datasets(store: RemoteStore) -> list[_Found]:
    """Every timeline dataset in the store's default graph and named graphs."""
    store.graphs = ()  # the store's own default graph and every named graph
    rows = store.select(
        "SELECT DISTINCT ?g ?d ?id WHERE { { GRAPH ?g { ?d a tl:Dataset "
        "OPTIONAL { ?g tl:pushedDataset ?id } } } UNION { ?d a tl:Dataset } }",
        vocabulary(),
    )
    out = []
    for row in rows:
        d, g, pushed = row.get("d"), row.get("g"), row.get("id")
        if isinstance(d, ox.NamedNode) and d.value.endswith("/dataset"):
            out.append(
                _Found(
                    g.value if isinstance(g, ox.NamedNode) else None,
                    d.value,
                    pushed.value if isinstance(pushed, ox.Literal) else "",
                )
            )
    return out


# --- what the analysis commands need --------------------------------------------------------

# the prefixes (tl:, sem:, ...) are the vocabulary's own, added by `RemoteStore.query`
_XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")

# each event that may fall in the window, with every actor taking part (a place as "location")
_PARTICIPATION = """SELECT ?event ?title ?date ?earliest ?latest ?actor ?role WHERE {
  ?e sem:hasEarliestBeginTimeStamp ?earliest ; sem:hasLatestEndTimeStamp ?latest .
  %s
  ?e dcterms:identifier ?event ; dcterms:title ?title ; tl:dateLabel ?date .
  { ?e tl:participation ?p . ?p rdf:value ?a ; sem:roleType ?r .
    BIND(STRAFTER(STR(?r), "/role/") AS ?role) }
  UNION
  { ?e sem:hasPlace ?a . BIND("location" AS ?role) }
  ?a dcterms:identifier ?actor .
}"""
_ACTORS = """SELECT ?actor ?name ?kind ?alias WHERE {
  ?a tl:actorKind ?k ; dcterms:identifier ?actor ; skos:prefLabel ?name .
  OPTIONAL { ?a skos:altLabel ?alias }
  BIND(STRAFTER(STR(?k), "/actor-kind/") AS ?kind)
}"""
_RELATIONS = """SELECT ?r ?subject ?object ?type ?start ?end ?ended WHERE {
  ?r a tl:ActorRelation ; tl:relationSubject ?s ; tl:relationObject ?o ; tl:relationType ?type .
  ?s dcterms:identifier ?subject . ?o dcterms:identifier ?object .
  OPTIONAL { ?r tl:startDate ?start }
  OPTIONAL { ?r tl:endDate ?end }
  OPTIONAL { ?r tl:ended ?ended }
}"""


def analysis_build(engine: Any, window: Any, progress: Progress = quiet) -> Any:
    """What `actors`, `relations` and `path` read, fetched from the endpoint: the actors, the
    curated relations, and the participation of the events that may fall in `window` (not the
    whole graph), as the `Build` those commands take."""
    import typing

    import networkx as nx

    from timeline.dates import PartialDate
    from timeline.graph import Build, node_id
    from timeline.models import Actor, Dataset, Relation, RelationType
    from timeline.vocab import relation_property

    store: RemoteStore = engine.store
    tests = []
    if window.start is not None:
        tests.append(f"?latest >= {ox.Literal(window.start.isoformat(), datatype=_XSD_DATE)}")
    if window.end is not None:
        tests.append(f"?earliest <= {ox.Literal(window.end.isoformat(), datatype=_XSD_DATE)}")
    where = f"FILTER({' && '.join(tests)})" if tests else ""
    progress("read actors")
    names: dict[str, tuple[str, str, list[str]]] = {}
    prefixes = vocabulary()
    for row in store.select(_ACTORS, prefixes):
        actor = row["actor"].value
        entry = names.setdefault(actor, (row["name"].value, row["kind"].value, []))
        alias = row.get("alias")
        if alias is not None and alias.value != entry[0] and alias.value not in entry[2]:
            entry[2].append(alias.value)
    actors = [
        Actor.model_construct(id=i, name=n, kind=k, aliases=sorted(a))
        for i, (n, k, a) in sorted(names.items())
    ]
    progress("read relations")
    types = {str(relation_property(t)): t for t in typing.get_args(RelationType)}
    relations = []
    for row in store.select(_RELATIONS, prefixes):
        key = row["r"].value.rsplit("/", 1)[-1]
        start, end = row.get("start"), row.get("end")
        relations.append(
            Relation.model_construct(
                id=key,
                subject=row["subject"].value,
                type=types.get(row["type"].value, row["type"].value),
                object=row["object"].value,
                start=PartialDate.parse(start.value) if start is not None else None,
                end=PartialDate.parse(end.value) if end is not None else None,
                ended=row.get("ended") is not None and row["ended"].value == "true",
            )
        )
    relations.sort(key=lambda r: r.id or "")
    progress("read participation")
    g = nx.MultiDiGraph()
    for a in actors:
        g.add_node(node_id("actor", a.id), type="actor", id=a.id, label=a.name, kind=a.kind)
    rows = store.select(_PARTICIPATION % where, prefixes)
    rows.sort(key=lambda r: (r["earliest"].value, r["latest"].value, r["event"].value))
    for row in rows:
        ev = node_id("event", row["event"].value)
        if ev not in g:
            g.add_node(
                ev,
                type="event",
                id=row["event"].value,
                label=row["title"].value,
                date_label=row["date"].value,
                earliest=row["earliest"].value,
                latest=row["latest"].value,
            )
        role = row["role"].value
        g.add_edge(
            ev,
            node_id("actor", row["actor"].value),
            key=f"role:{role}",
            type="participant",
            role=role,
        )
    dataset = Dataset.model_construct(actors=actors, relations=relations)
    return Build(dataset, graph=g, base=engine.base)


def fetch_build(remote: Remote, base: str | None = None, progress: Progress = quiet) -> Any:
    """The whole dataset read back from the endpoint's graph (`timeline.rdfread`), as the
    `Build` every export and the view are made from."""
    from timeline.rdfread import read_rdf

    engine = open_endpoint(remote, base=base, progress=progress)
    progress("fetch the graph")
    triples = engine.store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    local = ox.Store()
    progress("read the graph")
    local.load(triples.data, format=triples.format)
    return read_rdf(local, engine.base)
