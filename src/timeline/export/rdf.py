"""The RDF view of a build: SEM events, OWL-Time dates, PROV sources, schema.org claims.

IRIs are deterministic (``{base}event/{id}``), no blank nodes are used, and Turtle is written
with sorted subjects and objects, so identical input gives byte-identical output.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from timeline import __version__
from timeline.dates import PartialDate
from timeline.errors import ExportError
from timeline.graph import Build
from timeline.models import Actor, Claim, Dataset, Event, Relation, Source
from timeline.vocab import (
    ACTOR_KIND,
    DEFAULT_BASE,
    EVENT_TYPE,
    PRECISION,
    PREFIXES,
    ROLE,
    SCHEMA,
    SEM,
    STATUS,
    TIME,
    TL,
    VERDICT,
    WD,
    relation_property,
)

RDF_FORMATS = {
    "turtle": ("turtle", ".ttl"),
    "ntriples": ("nt", ".nt"),
    "jsonld": ("json-ld", ".jsonld"),
    "trig": ("trig", ".trig"),
    "rdfxml": ("xml", ".rdf"),
}

_XSD_BY_PRECISION = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}
_TIME_PROP = {"day": TIME.inXSDDate, "month": TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}
_TIME_UNIT = {"day": TIME.unitDay, "month": TIME.unitMonth, "year": TIME.unitYear}
_SCHEMA_CLASS = {
    "person": SCHEMA.Person,
    "organization": SCHEMA.Organization,
    "government": SCHEMA.GovernmentOrganization,
    "agency": SCHEMA.GovernmentOrganization,
    "ngo": SCHEMA.NGO,
    "armed-forces": SCHEMA.Organization,
    "armed-group": SCHEMA.Organization,
    "media": SCHEMA.NewsMediaOrganization,
    "group": PROV.Agent,
    "country": SCHEMA.Country,
    "region": SCHEMA.AdministrativeArea,
    "city": SCHEMA.City,
    "facility": SCHEMA.Place,
}


class Iris:
    """Deterministic IRIs for everything in a dataset, under one base."""

    def __init__(self, base: str | None) -> None:
        self.base = base or DEFAULT_BASE
        if not self.base.endswith(("/", "#")):
            self.base += "/"

    def __call__(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(parts))

    def actor(self, ident: str) -> URIRef:
        return self("actor", ident)

    def event(self, ident: str) -> URIRef:
        return self("event", ident)

    def source(self, ident: str) -> URIRef:
        return self("source", ident)

    def claim(self, ident: str) -> URIRef:
        return self("claim", ident)


def to_rdf(build: Build) -> Graph:
    """The whole build as an rdflib Graph."""
    ds = build.dataset
    iri = Iris(build.base or ds.dataset.base)
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    root = iri("dataset")
    g.add((root, RDF.type, TL.Dataset))
    g.add((root, RDF.type, PROV.Entity))
    g.add((root, DCTERMS.title, Literal(ds.dataset.title)))
    if ds.dataset.description:
        g.add((root, DCTERMS.description, Literal(ds.dataset.description)))
    g.add((root, PROV.wasGeneratedBy, iri("dataset", "build")))
    g.add((iri("dataset", "build"), RDF.type, PROV.Activity))
    g.add((iri("dataset", "build"), RDFS.label, Literal(f"timeline {__version__}")))
    for s in ds.sources:
        _source(g, iri, s)
    for a in ds.actors:
        _actor(g, iri, a)
    for e in ds.events:
        _event(g, iri, e)
    for c in ds.claims:
        _claim(g, iri, c)
    for r in ds.relations:
        _relation(g, iri, r)
    for m in build.mentions:
        _mention(g, iri, m, build.pipeline)
    return g


def _date(g: Graph, iri: Iris, subject: URIRef, when: PartialDate, node: URIRef) -> None:
    """Typed date by precision, earliest/latest bounds as xsd:date, and an OWL-Time entity."""
    g.add((subject, SEM.hasEarliestBeginTimeStamp, Literal(when.earliest.isoformat(),
                                                            datatype=XSD.date)))
    g.add((subject, SEM.hasLatestEndTimeStamp, Literal(when.latest.isoformat(),
                                                       datatype=XSD.date)))
    g.add((subject, TL.datePrecision, PRECISION[when.precision]))
    g.add((subject, TL.approximate, Literal(when.approximate)))
    g.add((subject, TL.dateLabel, Literal(when.label())))
    g.add((subject, TIME.hasTime, node))
    if when.end is None:
        g.add((subject, SEM.hasTimeStamp, _typed(when.start)))
        g.add((node, RDF.type, TIME.Instant))
        _time_position(g, node, when.start)
    else:
        g.add((subject, SEM.hasBeginTimeStamp, _typed(when.start)))
        g.add((subject, SEM.hasEndTimeStamp, _typed(when.end)))
        g.add((node, RDF.type, TIME.ProperInterval))
        begin, end = URIRef(f"{node}/begin"), URIRef(f"{node}/end")
        g.add((node, TIME.hasBeginning, begin))
        g.add((node, TIME.hasEnd, end))
        for n, iso in ((begin, when.start), (end, when.end)):
            g.add((n, RDF.type, TIME.Instant))
            _time_position(g, n, iso)
    if when.relative_to:
        g.add((subject, TL.relativeTo, iri.event(when.relative_to)))
    if when.as_stated:
        g.add((subject, TL.asStated, Literal(when.as_stated)))


def _time_position(g: Graph, node: URIRef, iso: str) -> None:
    precision = ("year", "month", "day")[iso.count("-")]
    g.add((node, _TIME_PROP[precision], _typed(iso)))
    g.add((node, TIME.unitType, _TIME_UNIT[precision]))


def _typed(iso: str) -> Literal:
    precision = ("year", "month", "day")[iso.count("-")]
    return Literal(iso, datatype=_XSD_BY_PRECISION[precision])


def _sources(g: Graph, iri: Iris, subject: URIRef, sources: list[str]) -> None:
    for s in sources:
        g.add((subject, PROV.wasDerivedFrom, iri.source(s)))


def _source(g: Graph, iri: Iris, s: Source) -> None:
    node = iri.source(s.id)
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, RDF.type, SCHEMA.CreativeWork))
    g.add((node, DCTERMS.identifier, Literal(s.id)))
    g.add((node, DCTERMS.title, Literal(s.title)))
    if s.publisher:
        g.add((node, DCTERMS.publisher, Literal(s.publisher)))
    if s.url:
        g.add((node, SCHEMA.url, Literal(s.url, datatype=XSD.anyURI)))
    if s.published:
        g.add((node, DCTERMS.issued, _typed(s.published.start)))
        g.add((node, TL.dateLabel, Literal(s.published.label())))
    if s.retrieved:
        g.add((node, TL.retrieved, Literal(s.retrieved.isoformat(), datatype=XSD.date)))
    if s.note:
        g.add((node, TL.note, Literal(s.note)))


def _actor(g: Graph, iri: Iris, a: Actor) -> None:
    node = iri.actor(a.id)
    g.add((node, RDF.type, SEM.Place if a.category == "place" else SEM.Actor))
    if a.kind == "country":
        # a country is a place and, as a state, an actor ("Venezuela sells oil")
        g.add((node, RDF.type, SEM.Actor))
    g.add((node, RDF.type, _SCHEMA_CLASS[a.kind]))
    if a.category == "person":
        g.add((node, RDF.type, PROV.Person))
    elif a.category == "organization":
        g.add((node, RDF.type, PROV.Organization))
    g.add((node, DCTERMS.identifier, Literal(a.id)))
    g.add((node, SKOS.prefLabel, Literal(a.name)))
    g.add((node, RDFS.label, Literal(a.name)))
    g.add((node, TL.actorKind, ACTOR_KIND[a.kind]))
    for alias in a.aliases:
        g.add((node, SKOS.altLabel, Literal(alias)))
    if a.description:
        g.add((node, DCTERMS.description, Literal(a.description)))
    for q in a.same_as:
        g.add((node, OWL.sameAs, WD[q]))


def _event(g: Graph, iri: Iris, e: Event) -> None:
    node = iri.event(e.id)
    g.add((node, RDF.type, SEM.Event))
    g.add((node, DCTERMS.identifier, Literal(e.id)))
    g.add((node, RDFS.label, Literal(e.title)))
    g.add((node, DCTERMS.title, Literal(e.title)))
    g.add((node, DCTERMS.description, Literal(e.summary)))
    g.add((node, SEM.eventType, EVENT_TYPE[e.type]))
    g.add((node, TL.status, STATUS[e.status]))
    _date(g, iri, node, e.when, URIRef(f"{node}/time"))
    if e.date_note:
        g.add((node, TL.dateNote, Literal(e.date_note)))
    for place in e.places:
        g.add((node, SEM.hasPlace, iri.actor(place)))
    for p in e.participants:
        g.add((node, SEM.hasActor, iri.actor(p.actor)))
        part = URIRef(f"{node}/participant/{p.role}/{p.actor}")
        g.add((node, TL.participation, part))
        g.add((part, RDF.type, TL.Participation))
        g.add((part, RDF.value, iri.actor(p.actor)))
        g.add((part, SEM.roleType, ROLE[p.role]))
    if e.part_of:
        g.add((node, SEM.subEventOf, iri.event(e.part_of)))
    for other in e.follows:
        g.add((node, TL.follows, iri.event(other)))
    for other in e.caused_by:
        g.add((node, TL.causedBy, iri.event(other)))
    for i, q in enumerate(e.quotes, 1):
        qn = URIRef(f"{node}/quote/{i}")
        g.add((node, TL.quote, qn))
        g.add((qn, RDF.type, TL.Quote))
        g.add((qn, SCHEMA.text, Literal(q.text)))
        g.add((qn, TL.paraphrase, Literal(q.paraphrase)))
        if q.speaker:
            g.add((qn, TL.speaker, iri.actor(q.speaker)))
        _sources(g, iri, qn, q.sources or e.sources)
    _sources(g, iri, node, e.sources)


def _value(value: int | float | str) -> Literal:
    return Literal(value)


def _claim(g: Graph, iri: Iris, c: Claim) -> None:
    node = iri.claim(c.id)
    g.add((node, RDF.type, TL.Claim))
    g.add((node, DCTERMS.identifier, Literal(c.id)))
    g.add((node, TL.statement, Literal(c.statement)))
    g.add((node, RDFS.label, Literal(c.statement)))
    g.add((node, PROV.wasAttributedTo, iri.actor(c.claimed_by)))
    if c.about:
        g.add((node, TL.about, iri.event(c.about)))
    if c.value is not None:
        g.add((node, RDF.value, _value(c.value)))
    if c.unit:
        g.add((node, TL.unit, Literal(c.unit)))
    g.add((node, TL.approximate, Literal(c.approximate)))
    if c.date:
        _date(g, iri, node, c.date, URIRef(f"{node}/time"))
    _sources(g, iri, node, c.sources)
    disagreeing = c.disagreements()
    g.add((node, TL.disagrees, Literal(bool(disagreeing))))
    for i, v in enumerate(c.verifications, 1):
        vn = URIRef(f"{node}/verification/{i}")
        g.add((node, TL.verification, vn))
        g.add((vn, RDF.type, TL.Verification))
        g.add((vn, SCHEMA.itemReviewed, node))
        g.add((vn, PROV.wasAttributedTo, iri.actor(v.by)))
        g.add((vn, TL.verdict, VERDICT[v.verdict]))
        g.add((vn, TL.approximate, Literal(v.approximate)))
        g.add((vn, TL.disagrees, Literal(v in disagreeing)))
        if v.value is not None:
            g.add((vn, RDF.value, _value(v.value)))
        if v.date:
            _date(g, iri, vn, v.date, URIRef(f"{vn}/time"))
        if v.note:
            g.add((vn, TL.note, Literal(v.note)))
        _sources(g, iri, vn, v.sources)


def _relation(g: Graph, iri: Iris, r: Relation) -> None:
    node = iri("relation", r.key)
    s, o = iri.actor(r.subject), iri.actor(r.object)
    g.add((s, relation_property(r.type), o))
    g.add((node, RDF.type, TL.ActorRelation))
    g.add((node, TL.relationSubject, s))
    g.add((node, TL.relationObject, o))
    g.add((node, TL.relationType, relation_property(r.type)))
    if r.start:
        g.add((node, SEM.hasBeginTimeStamp, _typed(r.start.start)))
        g.add((node, SEM.hasEarliestBeginTimeStamp,
               Literal(r.start.earliest.isoformat(), datatype=XSD.date)))
    if r.end:
        g.add((node, SEM.hasEndTimeStamp, _typed(r.end.end or r.end.start)))
        g.add((node, SEM.hasLatestEndTimeStamp,
               Literal(r.end.latest.isoformat(), datatype=XSD.date)))
    if r.note:
        g.add((node, TL.note, Literal(r.note)))
    _sources(g, iri, node, r.sources)


def _mention(g: Graph, iri: Iris, m: object, pipeline: str) -> None:
    from timeline.graph import Mention

    assert isinstance(m, Mention)
    event = iri.event(m.event)
    node = URIRef(f"{event}/mention/{m.start}-{m.end}")
    g.add((event, TL.mention, node))
    g.add((node, RDF.type, TL.Mention))
    g.add((node, TL.surfaceForm, Literal(m.text)))
    g.add((node, TL.startOffset, Literal(m.start)))
    g.add((node, TL.endOffset, Literal(m.end)))
    g.add((node, PROV.wasGeneratedBy, iri("dataset", "extraction")))
    if m.actor:
        g.add((node, TL.linkedTo, iri.actor(m.actor)))
        g.add((event, TL.mentions, iri.actor(m.actor)))
    elif m.candidates:
        # Ambiguous: the candidates are recorded, the link is left for a curator to decide.
        for c in m.candidates:
            g.add((node, TL.candidate, iri.actor(c)))
    if m.method:
        g.add((node, TL.linkMethod, Literal(m.method)))
    if pipeline:
        g.add((iri("dataset", "extraction"), RDF.type, PROV.Activity))
        g.add((iri("dataset", "extraction"), TL.extractedBy, Literal(pipeline)))


def serialize(graph: Graph, fmt: str = "turtle") -> bytes:
    """Serialise deterministically: identical graphs give identical bytes."""
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format '{fmt}'; choose one of {', '.join(RDF_FORMATS)}")
    rdflib_fmt = RDF_FORMATS[fmt][0]
    if fmt == "ntriples":
        lines = graph.serialize(format="nt", encoding="utf-8").decode().splitlines()
        return ("\n".join(sorted({line for line in lines if line})) + "\n").encode()
    if fmt == "turtle":
        return _turtle(graph)
    return graph.serialize(format=rdflib_fmt, encoding="utf-8")


def _turtle(graph: Graph) -> bytes:
    """rdflib's own Turtle, byte for byte, without its quadratic search for prefixes."""
    from io import BytesIO

    from rdflib.plugins.serializers.turtle import TurtleSerializer
    from rdflib.term import Node

    bound = tuple(str(ns) for _, ns in graph.namespaces())

    class Serializer(TurtleSerializer):
        # rdflib files the namespace of every IRI it cannot abbreviate in a trie that it then
        # scans linearly, so writing Turtle grew quadratically (32 s for 120k triples). An IRI
        # outside every bound namespace can only get a prefix by generating one, which rdflib
        # does for predicates alone (gen_prefix); for the others the answer is None anyway.
        def get_pname(self, uri: Node, gen_prefix: bool = True) -> str | None:
            if not gen_prefix and isinstance(uri, URIRef) and not str.startswith(uri, bound):
                return None
            return super().get_pname(uri, gen_prefix)

    stream = BytesIO()
    Serializer(graph).serialize(stream, encoding="utf-8")
    return stream.getvalue()


def write_rdf(graph: Graph, path: str | Path, fmt: str = "turtle") -> None:
    from timeline.atomic import atomic_write

    atomic_write(Path(path), serialize(graph, fmt))


def dataset_rdf(dataset: Dataset, base: str | None = None) -> Graph:
    """Convenience for notebooks: the RDF of a dataset without extraction."""
    from timeline.graph import build_graph

    return to_rdf(Build(dataset, build_graph(dataset), base=base))
