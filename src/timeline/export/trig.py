"""TriG with one named graph per source, so every statement carries its provenance.

A statement goes into the graph of each source that its record cites (an event citing two sources
appears in both graphs; a quote or a verification in the graphs of its own sources). What no
source asserts, such as the dataset, actors, source descriptions and extracted mentions, stays in
the default graph, together with a ``prov:wasDerivedFrom`` link from each named graph to its
source. The union of all graphs is exactly `to_rdf(build)` plus those links.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from timeline.export.rdf import Iris, serialize, to_rdf
from timeline.graph import Build
from timeline.vocab import PREFIXES, TL, relation_property

Triple = tuple[Node, Node, Node]


def graph_iri(iri: Iris, source_id: str) -> URIRef:
    """The named graph holding what source `source_id` says."""
    return iri("graph", "source", source_id)


def _owners(build: Build, iri: Iris) -> tuple[dict[str, list[str]], dict[Triple, set[str]]]:
    """Sources by record IRI (event, quote, claim, verification, relation), and the sources of
    each actor-to-actor relation statement."""
    owners: dict[str, list[str]] = {}
    ds = build.dataset
    for e in ds.events:
        node = iri.event(e.id)
        owners[str(node)] = list(e.sources)
        for i, q in enumerate(e.quotes, 1):
            owners[f"{node}/quote/{i}"] = list(q.sources or e.sources)
    for c in ds.claims:
        node = iri.claim(c.id)
        owners[str(node)] = list(c.sources)
        for i, v in enumerate(c.verifications, 1):
            owners[f"{node}/verification/{i}"] = list(v.sources)
    statements: dict[Triple, set[str]] = defaultdict(set)
    for r in ds.relations:
        owners[str(iri("relation", r.key))] = list(r.sources)
        triple = (iri.actor(r.subject), relation_property(r.type), iri.actor(r.object))
        statements[triple].update(r.sources)
    return owners, statements


def _sources_of(subject: str, owners: dict[str, list[str]]) -> list[str]:
    """The sources of the innermost record that `subject` belongs to (``.../time/begin`` belongs
    to its event); none for mentions, which extraction produced rather than a source."""
    if "/mention/" in subject:
        return []
    path = subject
    while path:
        if path in owners:
            return owners[path]
        path = path.rpartition("/")[0]
    return []


def split_by_source(build: Build, graph: Graph | None = None) -> dict[URIRef | None, Graph]:
    """The build's triples by graph: None is the default graph, then one graph per source."""
    iri = Iris(build.base or build.dataset.dataset.base)
    full = to_rdf(build) if graph is None else graph
    owners, statements = _owners(build, iri)
    graphs: dict[URIRef | None, Graph] = {None: Graph(bind_namespaces="none")}
    for src in build.dataset.sources:
        graphs[graph_iri(iri, src.id)] = Graph(bind_namespaces="none")
        graphs[None].add((graph_iri(iri, src.id), PROV.wasDerivedFrom, iri.source(src.id)))
    for triple in full:
        s, p, _ = triple
        if p in (TL.mention, TL.mentions):
            sources: list[str] = []
        elif triple in statements:
            sources = sorted(statements[triple])
        else:
            sources = _sources_of(str(s), owners)
        targets = [graph_iri(iri, source) for source in sources] if sources else [None]
        for name in targets:
            graphs[name].add(triple)
    return graphs


def serialize_trig(build: Build, graph: Graph | None = None) -> bytes:
    """TriG: the default graph, then each source's named graph, each in sorted Turtle."""
    prefixes: set[str] = set()
    blocks: list[str] = []
    graphs = split_by_source(build, graph)
    for name in [None, *sorted(k for k in graphs if k is not None)]:
        g = graphs[name]
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        lines = serialize(g, "turtle").decode().splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        body = [line for line in lines if not line.startswith("@prefix")]
        text = "\n".join(body).strip("\n")
        label = "{" if name is None else f"<{name}> {{"
        blocks.append(f"{label}\n{text}\n}}\n" if text else f"{label}\n}}\n")
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)).encode()
