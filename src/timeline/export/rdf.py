"""The RDF view of a build: SEM events, OWL-Time dates, PROV sources, schema.org claims.

IRIs are deterministic (``{base}event/{id}``), no blank nodes are used, and Turtle is written
with sorted subjects and objects, so identical input gives byte-identical output.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TypeVar, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from timeline import __version__
from timeline.dates import PartialDate, shown
from timeline.errors import ExportError
from timeline.graph import Build, Mention
from timeline.models import (
    BUILTIN_TYPES,
    PLACE_KINDS,
    Actor,
    Claim,
    Dataset,
    Event,
    Media,
    Relation,
    Source,
    currency,
)
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
    "object": SCHEMA.Thing,
}


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class Iris:
    """Deterministic IRIs for everything in a dataset, under one base."""

    def __init__(self, base: str | None) -> None:
        self.base = base or DEFAULT_BASE
        if not self.base.endswith(("/", "#")):
            self.base += "/"
        bad = _NOT_IN_IRI.search(self.base)
        if bad:
            raise ExportError(
                f"base IRI '{shown(self.base)}' holds {bad.group()!a}, which no IRI "
                "may contain; write one like https://example.org/timeline/"
            )
        if not _ABSOLUTE.match(self.base):
            raise ExportError(
                f"base IRI '{shown(self.base)}' has no scheme, so the graph's IRIs "
                "would be relative; write one like https://example.org/timeline/"
            )

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


# --- the triples, as N-Triples text --------------------------------------------------------
#
# Every triple is written straight from the models as one canonical N-Triples line: making an
# rdflib term per triple cost about 1 KB and 45 us each (5.6 s and 120 MB per 1,000 events),
# which made 100k events out of reach. The lines of one entity (an event with its date nodes,
# participations, quotes and mentions; an actor; a claim with its verifications; ...) form a
# *block*: every subject in it is the entity's IRI or an IRI under it, so blocks never share a
# subject, each block's lines are sorted and deduplicated on their own, and Turtle can be
# written block by block. `to_rdf` parses the same lines into rdflib, so both paths give one
# graph.


def _u(term: str) -> str:
    return f"<{term}>"


_XSD_DATE = _u(XSD.date)
_NT_XSD = {"day": _XSD_DATE, "month": _u(XSD.gYearMonth), "year": _u(XSD.gYear)}
_NT_TIME_PROP = {k: _u(v) for k, v in _TIME_PROP.items()}
_NT_TIME_UNIT = {k: _u(v) for k, v in _TIME_UNIT.items()}
_NT_SCHEMA_CLASS = {k: _u(v) for k, v in _SCHEMA_CLASS.items()}
_TRUE, _FALSE = f'"true"^^{_u(XSD.boolean)}', f'"false"^^{_u(XSD.boolean)}'
_INTEGER, _DOUBLE, _BOOLEAN = _u(XSD.integer), _u(XSD.double), _u(XSD.boolean)
_A = _u(RDF.type)
_VALUE = _u(RDF.value)
_LABEL = _u(RDFS.label)
_ID, _TITLE, _DESCRIPTION = _u(DCTERMS.identifier), _u(DCTERMS.title), _u(DCTERMS.description)
_DERIVED, _ATTRIBUTED = _u(PROV.wasDerivedFrom), _u(PROV.wasAttributedTo)
_GENERATED = _u(PROV.wasGeneratedBy)
_TL = {name: _u(getattr(TL, name)) for name in TL.__annotations__}
_SEM = {
    name: _u(SEM[name])
    for name in (
        "Event",
        "Actor",
        "Place",
        "eventType",
        "hasPlace",
        "hasActor",
        "roleType",
        "subEventOf",
        "hasTimeStamp",
        "hasBeginTimeStamp",
        "hasEndTimeStamp",
        "hasEarliestBeginTimeStamp",
        "hasLatestEndTimeStamp",
    )
}
_TIME = {
    name: _u(TIME[name])
    for name in ("hasTime", "Instant", "ProperInterval", "hasBeginning", "hasEnd")
}

# Canonical N-Triples escapes (RDF 1.2): the ECHARs, and UCHAR for other control characters.
_ESCAPES = str.maketrans(
    {
        **{chr(c): f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
        "\b": "\\b",
        "\t": "\\t",
        "\n": "\\n",
        "\f": "\\f",
        "\r": "\\r",
        '"': '\\"',
        "\\": "\\\\",
    }
)
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def nt_literal(text: str) -> str:
    """A plain string literal in canonical N-Triples form."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPES)
    return f'"{text}"'


def _bool(value: bool) -> str:
    return _TRUE if value else _FALSE


def _int(value: int) -> str:
    return f'"{value}"^^{_INTEGER}'


def _nt_value(value: int | float | str) -> str:
    """What rdflib's Literal(value) gives, as N-Triples."""
    if isinstance(value, bool):
        return _bool(value)
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return f'"{value!r}"^^{_DOUBLE}'
    return nt_literal(value)


def _nt_typed(iso: str) -> str:
    return f'"{iso}"^^{_NT_XSD[("year", "month", "day")[iso.count("-")]]}'


def _sub(node: str, *parts: str) -> str:
    """The IRI under `node`: <…/event/x> -> <…/event/x/time>."""
    return f"{node[:-1]}/{'/'.join(parts)}>"


class NtIris:
    """`Iris` as N-Triples text (``<…>``), checked once for characters no IRI may hold."""

    def __init__(self, base: str | None) -> None:
        self.base = Iris(base).base

    def __call__(self, *parts: str) -> str:
        return f"<{self.base}{'/'.join(parts)}>"

    def actor(self, ident: str) -> str:
        return f"<{self.base}actor/{ident}>"

    def event(self, ident: str) -> str:
        return f"<{self.base}event/{ident}>"

    def source(self, ident: str) -> str:
        return f"<{self.base}source/{ident}>"

    def claim(self, ident: str) -> str:
        return f"<{self.base}claim/{ident}>"


class Lines(list[tuple[str, str, str]]):
    """The triples of one block, each term in N-Triples form, plus `made`: nodes no triple of
    the list has as subject (an event's mentions, the bulk of every build), each as (subject,
    its Turtle statement already written, a function giving its triples)."""

    def __init__(self) -> None:
        super().__init__()
        self.made: list[tuple[str, str, Callable[[], Lines]]] = []

    def t(self, s: str, p: str, o: str) -> None:
        self.append((s, p, o))

    def __iadd__(self, other: Iterable[tuple[str, str, str]]) -> Lines:  # type: ignore[override,misc]
        self.extend(other)
        if isinstance(other, Lines):
            self.made += other.made
        return self

    def triples(self) -> list[tuple[str, str, str]]:
        """Every triple, `made` ones included: sorted, deduplicated."""
        found = set(self)
        for _, _, triples in self.made:
            found.update(triples())
        return sorted(found)

    def text(self) -> str:
        """Sorted, deduplicated N-Triples, one triple a line, ending with a newline."""
        return "".join(f"{s} {p} {o} .\n" for s, p, o in self.triples())

    def turtle(self) -> str:
        """The same triples as Turtle: subjects sorted, one statement each, predicates joined
        with ``;`` and objects with ``,``, vocabulary terms as prefixed names."""
        statements = turtle_statements(sorted(set(self)))
        if self.made:
            statements = sorted({*statements, *((subject, ttl) for subject, ttl, _ in self.made)})
        return "".join(ttl for _, ttl in statements)


# --- Turtle, written straight from the triples -----------------------------------------------
#
# pyoxigraph wrote the Turtle before (parsing our N-Triples, then serialising): 28 s of the 44 s
# it took at 100k events, most of it spent making a Python object per term. Every term here is
# already a valid N-Triples term, which is a valid Turtle term, so Turtle is the same triples
# grouped by subject and predicate, with vocabulary IRIs shortened to the prefixes of
# `turtle_header` (only where the local part is a plain name) and booleans and integers in
# their short form. Data IRIs stay whole. tests/test_rdf_fast.py parses the result with rdflib
# and pyoxigraph and compares it with `to_rdf`'s graph.

_NAMESPACES = sorted(
    ((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda pair: -len(pair[0])
)
_NS_STARTS = tuple(f"<{ns}" for ns, _ in _NAMESPACES)
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SHORT: dict[str, str] = {}  # IRIs and typed literals as written in Turtle
_PREDICATE: dict[str, str] = {f"<{RDF.type}>": "a"}  # "a" only where a predicate goes


def _predicate(term: str) -> str:
    found = _PREDICATE.get(term)
    if found is None:
        found = _PREDICATE[term] = _pname(term)
    return found


def _pname(term: str) -> str:
    """A vocabulary IRI (``<…>``) as a prefixed name when one fits, else the IRI itself."""
    found = _SHORT.get(term)
    if found is None:
        found = term
        for ns, prefix in _NAMESPACES:
            if term.startswith(ns, 1) and _LOCAL.fullmatch(term, len(ns) + 1, len(term) - 1):
                found = f"{prefix}:{term[len(ns) + 1 : -1]}"
                break
        _SHORT[term] = found
    return found


def _typed(term: str) -> str:
    """A typed literal with its datatype as a prefixed name; booleans and integers bare."""
    at = term.rfind('"^^<')
    lexical, datatype = term[: at + 1], term[at + 3 :]
    if at < 0:  # not a typed literal (a language tag): as it is, valid Turtle too
        return term
    if datatype == _INTEGER and _PLAIN_INT.fullmatch(lexical, 1, len(lexical) - 1):
        return lexical[1:-1]
    if datatype == _BOOLEAN and lexical in ('"true"', '"false"'):
        return lexical[1:-1]
    return f"{lexical}^^{_pname(datatype)}"


_PLAIN_INT = re.compile(r"[+-]?[0-9]+")


def _object(term: str) -> str:
    if term[-1] == '"':  # a plain string literal
        return term
    if term[0] == "<":
        return _pname(term) if term.startswith(_NS_STARTS) else term
    found = _typed(term)
    if len(_SHORT) < 200_000:  # dates and offsets repeat; bounded, as literals are data
        _SHORT[term] = found
    return found


def turtle_statements(triples: Iterable[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Sorted triples (terms in N-Triples form) as (subject, its Turtle statement) pairs."""
    out: list[tuple[str, str]] = []
    parts: list[str] = []
    add = parts.append
    short, predicate = _SHORT, _PREDICATE
    last_s = last_p = ""
    for s, p, o in triples:
        if o[-1] != '"':  # not a plain string literal: maybe shortened
            o = short.get(o) or _object(o)
        if s != last_s:
            if last_s:
                add(" .\n")
                out.append((last_s, "".join(parts)))
                parts.clear()
            add(f"{s} {predicate.get(p) or _predicate(p)} {o}")
            last_s, last_p = s, p
        elif p != last_p:
            add(f" ;\n\t{predicate.get(p) or _predicate(p)} {o}")
            last_p = p
        else:
            add(f" , {o}")
    if last_s:
        add(" .\n")
        out.append((last_s, "".join(parts)))
    return out


def turtle_text(triples: Iterable[tuple[str, str, str]]) -> str:
    """Sorted triples (terms in N-Triples form) as Turtle statements, without @prefix lines."""
    return "".join(ttl for _, ttl in turtle_statements(triples))


def _nt_date(out: Lines, iri: NtIris, subject: str, when: PartialDate, node: str) -> None:
    """Typed date by precision, earliest/latest bounds as xsd:date, and an OWL-Time entity.

    An open side's bound is the first or last day xsd:date has (0001-01-01, 9999-12-31), so
    range queries need no special case; ``tl:dateOpen`` says which side is open. An unknown
    date has precision ``unknown``, its bounds (what it follows, what it is part of) and no
    time stamp."""
    t = out.t
    t(subject, _SEM["hasEarliestBeginTimeStamp"], f'"{when.earliest.isoformat()}"^^{_XSD_DATE}')
    t(subject, _SEM["hasLatestEndTimeStamp"], f'"{when.latest.isoformat()}"^^{_XSD_DATE}')
    precision = "unknown" if when.undated else when.precision
    t(subject, _TL["datePrecision"], _u(PRECISION[precision]))
    t(subject, _TL["approximate"], _bool(when.approximate))
    t(subject, _TL["dateLabel"], nt_literal(when.label()))
    if not when.undated:
        _nt_time(out, subject, when, node)
    if when.relative_to:
        t(subject, _TL["relativeTo"], iri.event(when.relative_to))
    if when.as_stated:
        t(subject, _TL["asStated"], nt_literal(when.as_stated))


def _nt_time(out: Lines, subject: str, when: PartialDate, node: str) -> None:
    """The time stamps (SEM) and the OWL-Time instant or interval of a date that is known."""
    t = out.t
    t(subject, _TIME["hasTime"], node)
    if when.open:
        t(subject, _TL["dateOpen"], nt_literal(when.open))
        stamp = _SEM["hasBeginTimeStamp" if when.open == "after" else "hasEndTimeStamp"]
        t(subject, stamp, _nt_stamp(when.start, when.time))
        t(node, _A, _TIME["ProperInterval"])
        side = _sub(node, "begin" if when.open == "after" else "end")
        t(node, _TIME["hasBeginning" if when.open == "after" else "hasEnd"], side)
        t(side, _A, _TIME["Instant"])
        _nt_position(out, side, when.start, when.time)
    elif when.end is None:
        t(subject, _SEM["hasTimeStamp"], _nt_stamp(when.start, when.time))
        t(node, _A, _TIME["Instant"])
        _nt_position(out, node, when.start, when.time)
    else:
        t(subject, _SEM["hasBeginTimeStamp"], _nt_stamp(when.start, when.time))
        t(subject, _SEM["hasEndTimeStamp"], _nt_stamp(when.end, when.end_time))
        t(node, _A, _TIME["ProperInterval"])
        begin, end = _sub(node, "begin"), _sub(node, "end")
        t(node, _TIME["hasBeginning"], begin)
        t(node, _TIME["hasEnd"], end)
        for n, iso, time in ((begin, when.start, when.time), (end, when.end, when.end_time)):
            t(n, _A, _TIME["Instant"])
            _nt_position(out, n, iso, time)


def _nt_stamp(iso: str, time: str | None) -> str:
    """A day with its time of day is an xsd:dateTime; else typed by its precision."""
    if time is None:
        return _nt_typed(iso)
    return f'"{PartialDate.xsd_datetime(iso, time)}"^^{_u(XSD.dateTime)}'


def _nt_position(out: Lines, node: str, iso: str, time: str | None = None) -> None:
    if time is not None:  # OWL-Time: with a zone, inXSDDateTimeStamp; without, inXSDDateTime
        zoned = time.endswith("Z") or "+" in time or "-" in time
        prop = TIME.inXSDDateTimeStamp if zoned else TIME.inXSDDateTime
        stamp = PartialDate.xsd_datetime(iso, time)
        kind = XSD.dateTimeStamp if zoned else XSD.dateTime
        out.t(node, _u(prop), f'"{stamp}"^^{_u(kind)}')
        out.t(node, _u(TIME.unitType), _u(TIME.unitMinute))
        return
    precision = ("year", "month", "day")[iso.count("-")]
    out.t(node, _NT_TIME_PROP[precision], _nt_typed(iso))
    out.t(node, _u(TIME.unitType), _NT_TIME_UNIT[precision])


def _nt_sources(out: Lines, iri: NtIris, subject: str, sources: list[str]) -> None:
    for s in sources:
        out.t(subject, _DERIVED, iri.source(s))


def dataset_block(build: Build, iri: NtIris) -> Lines:
    """The dataset node, its build activity, and the extraction activity if anything was found."""
    ds = build.dataset
    out = Lines()
    t = out.t
    root, activity = iri("dataset"), iri("dataset", "build")
    t(root, _A, _TL["Dataset"])
    t(root, _A, _u(PROV.Entity))
    t(root, _TITLE, nt_literal(ds.dataset.title))
    if ds.dataset.description:
        t(root, _DESCRIPTION, nt_literal(ds.dataset.description))
    if ds.dataset.id:
        t(root, _ID, nt_literal(ds.dataset.id))
    t(root, _u(DCTERMS.language), nt_literal(ds.dataset.language))
    if ds.dataset.ner:
        t(root, _TL["nerChoice"], nt_literal(ds.dataset.ner))
    t(root, _GENERATED, activity)
    t(activity, _A, _u(PROV.Activity))
    t(activity, _LABEL, nt_literal(f"timeline {__version__}"))
    for name, parent in sorted(ds.dataset.event_types.items()):
        concept = iri("event-type", name)
        t(concept, _A, _u(SKOS.Concept))
        t(concept, _u(SKOS.prefLabel), nt_literal(name))
        t(concept, _u(SKOS.broader), _u(EVENT_TYPE[parent]))
    if build.pipeline and build.mentions:
        extraction = iri("dataset", "extraction")
        t(extraction, _A, _u(PROV.Activity))
        t(extraction, _TL["extractedBy"], nt_literal(build.pipeline))
    return out


def source_block(iri: NtIris, s: Source) -> Lines:
    """The triples of one source."""
    out = Lines()
    t = out.t
    node = iri.source(s.id)
    t(node, _A, _u(PROV.Entity))
    t(node, _A, _u(SCHEMA.CreativeWork))
    t(node, _ID, nt_literal(s.id))
    t(node, _TITLE, nt_literal(s.title))
    if s.publisher:
        t(node, _u(DCTERMS.publisher), nt_literal(s.publisher))
    if s.url:
        t(node, _u(SCHEMA.url), f"{nt_literal(s.url)}^^{_u(XSD.anyURI)}")
    if s.published:
        t(node, _u(DCTERMS.issued), _nt_typed(s.published.start))
        t(node, _TL["dateLabel"], nt_literal(s.published.label()))
    if s.retrieved:
        t(node, _TL["retrieved"], f'"{s.retrieved.isoformat()}"^^{_XSD_DATE}')
    if s.note:
        t(node, _TL["note"], nt_literal(s.note))
    return out


def actor_block(iri: NtIris, a: Actor) -> Lines:
    """The triples of one actor (relations add theirs to the subject actor's block)."""
    out = Lines()
    t = out.t
    node = iri.actor(a.id)
    if a.category != "object":  # a thing takes part in events, but is no actor nor place
        t(node, _A, _SEM["Place"] if a.category == "place" else _SEM["Actor"])
    if a.kind == "country":
        # a country is a place and, as a state, an actor ("Venezuela sells oil")
        t(node, _A, _SEM["Actor"])
    t(node, _A, _NT_SCHEMA_CLASS[a.kind])
    if a.category == "person":
        t(node, _A, _u(PROV.Person))
    elif a.category == "organization":
        t(node, _A, _u(PROV.Organization))
    t(node, _ID, nt_literal(a.id))
    name = nt_literal(a.name)
    t(node, _u(SKOS.prefLabel), name)
    t(node, _LABEL, name)
    t(node, _TL["actorKind"], _u(ACTOR_KIND[a.kind]))
    for kind in a.kinds[1:]:  # secondary kinds: their class, and the place or actor they make
        t(node, _TL["alsoKind"], _u(ACTOR_KIND[kind]))
        t(node, _A, _NT_SCHEMA_CLASS[kind])
        if kind in PLACE_KINDS and a.category != "place":
            t(node, _A, _SEM["Place"])
        elif kind not in PLACE_KINDS and kind != "object" and a.category == "place":
            t(node, _A, _SEM["Actor"])
    for alias in a.aliases:
        t(node, _u(SKOS.altLabel), nt_literal(alias))
    if a.description:
        t(node, _DESCRIPTION, nt_literal(a.description))
    for q in a.same_as:
        t(node, _u(OWL.sameAs), _u(WD[q]))
    _nt_media(out, node, a.media)
    for note in a.review:
        t(node, _TL["review"], nt_literal(note))
    return out


def _nt_media(out: Lines, node: str, media: Iterable[Media]) -> None:
    """Pictures and other media (schema:associatedMedia), in order (schema:position)."""
    t = out.t
    for i, m in enumerate(media, 1):
        mn = _sub(node, "media", str(i))
        t(node, _u(SCHEMA.associatedMedia), mn)
        t(mn, _A, _u(SCHEMA.ImageObject if m.is_image else SCHEMA.MediaObject))
        if m.is_image:
            t(mn, _A, _u(SCHEMA.MediaObject))
        t(mn, _u(SCHEMA.position), f'"{i}"^^{_INTEGER}')
        if m.url:
            t(mn, _u(SCHEMA.contentUrl), f"{nt_literal(m.url)}^^{_u(XSD.anyURI)}")
        if m.file:
            t(mn, _TL["mediaFile"], nt_literal(m.file))
        if m.credit:
            t(mn, _u(SCHEMA.creditText), nt_literal(m.credit))
        if m.caption:
            t(mn, _u(SCHEMA.caption), nt_literal(m.caption))
        if m.alt:
            t(mn, _TL["altText"], nt_literal(m.alt))


def event_block(iri: NtIris, e: Event, mentions: Iterable[Mention] = ()) -> Lines:
    """The triples of one event: date, participations, quotes, and its text's mentions."""
    out = Lines()
    t = out.t
    node = iri.event(e.id)
    title = nt_literal(e.title)
    t(node, _A, _SEM["Event"])
    t(node, _ID, nt_literal(e.id))
    t(node, _LABEL, title)
    t(node, _TITLE, title)
    t(node, _DESCRIPTION, nt_literal(e.summary))
    # a dataset's own type is a concept under its base, narrower than one of ours
    kind = _u(EVENT_TYPE[e.type]) if e.type in BUILTIN_TYPES else iri("event-type", e.type)
    t(node, _SEM["eventType"], kind)
    t(node, _TL["status"], _u(STATUS[e.status]))
    _nt_date(out, iri, node, e.when, _sub(node, "time"))
    if e.date_note:
        t(node, _TL["dateNote"], nt_literal(e.date_note))
    for place in e.places:
        t(node, _SEM["hasPlace"], iri.actor(place))
    for p in e.participants:
        actor = iri.actor(p.actor)
        t(node, _SEM["hasActor"], actor)
        part = _sub(node, "participant", p.role, p.actor)
        t(node, _TL["participation"], part)
        t(part, _A, _TL["Participation"])
        t(part, _VALUE, actor)
        t(part, _SEM["roleType"], _u(ROLE[p.role]))
        if p.place:
            t(part, _SEM["hasPlace"], iri.actor(p.place))
    if e.part_of:
        t(node, _SEM["subEventOf"], iri.event(e.part_of))
    for other in e.follows:
        t(node, _TL["follows"], iri.event(other))
    for other in e.caused_by:
        t(node, _TL["causedBy"], iri.event(other))
    for i, q in enumerate(e.quotes, 1):
        qn = _sub(node, "quote", str(i))
        t(node, _TL["quote"], qn)
        t(qn, _A, _TL["Quote"])
        t(qn, _u(SCHEMA.text), nt_literal(q.text))
        t(qn, _TL["paraphrase"], _bool(q.paraphrase))
        if q.speaker:
            t(qn, _TL["speaker"], iri.actor(q.speaker))
        _nt_sources(out, iri, qn, q.sources or e.sources)
    _nt_media(out, node, e.media)
    for i, amount in enumerate(e.quantities, 1):
        qn = _sub(node, "quantity", str(i))
        t(node, _TL["quantity"], qn)
        t(qn, _A, _u(SCHEMA.QuantitativeValue))
        t(qn, _u(SCHEMA.position), f'"{i}"^^{_INTEGER}')
        t(qn, _u(SCHEMA.value), _nt_value(amount.value))
        t(qn, _TL["quantityOf"], nt_literal(amount.of))
        t(qn, _TL["approximateValue"], _bool(amount.approximate))
        if amount.unit:
            t(qn, _u(SCHEMA.unitText), nt_literal(amount.unit))
            if currency(amount.unit):
                t(qn, _u(SCHEMA.currency), nt_literal(amount.unit))
    for note in e.review:
        t(node, _TL["review"], nt_literal(note))
    if e.duplicate_of:
        t(node, _TL["duplicateOf"], iri.event(e.duplicate_of))
    _nt_sources(out, iri, node, e.sources)
    _nt_mentions(out, iri, node, mentions)
    return out


_TTL_A, _TTL_MENTION = "a", _pname(_TL["Mention"])
_TTL_GENERATED, _TTL_CANDIDATE = _pname(_GENERATED), _pname(_TL["candidate"])
_TTL_END, _TTL_METHOD = _pname(_TL["endOffset"]), _pname(_TL["linkMethod"])
_TTL_LINKED, _TTL_START = _pname(_TL["linkedTo"]), _pname(_TL["startOffset"])
_TTL_SURFACE = _pname(_TL["surfaceForm"])


def _nt_mentions(out: Lines, iri: NtIris, event: str, mentions: Iterable[Mention]) -> None:
    """A mention is a node of its own: its Turtle statement is written here from a template
    (5x faster than going triple by triple; tests/test_rdf_fast.py checks that both give the
    same text), its N-Triples only when asked for."""
    t = out.t
    extraction = iri("dataset", "extraction")
    generated = f" ;\n\t{_TTL_GENERATED} {extraction}"
    made = out.made
    for m in mentions:
        node = _sub(event, "mention", f"{m.start}-{m.end}")
        t(event, _TL["mention"], node)
        candidates = ""
        if m.actor:
            actor = iri.actor(m.actor)
            t(event, _TL["mentions"], actor)
            linked = f" ;\n\t{_TTL_LINKED} {actor}"
        else:
            linked = ""
            if m.candidates:  # ambiguous: the candidates are kept, the link left to a curator
                candidates = f" ;\n\t{_TTL_CANDIDATE} " + " , ".join(
                    sorted({iri.actor(c) for c in m.candidates})
                )
        method = f" ;\n\t{_TTL_METHOD} {nt_literal(m.method)}" if m.method else ""
        made.append(
            (
                node,
                f"{node} {_TTL_A} {_TTL_MENTION}{generated}{candidates} ;\n\t"
                f"{_TTL_END} {m.end}{method}{linked} ;\n\t{_TTL_START} {m.start} ;"
                f"\n\t{_TTL_SURFACE} {nt_literal(m.text)} .\n",
                functools.partial(_mention_triples, node, m, iri, extraction),
            )
        )


def _mention_triples(node: str, m: Mention, iri: NtIris, extraction: str) -> Lines:
    out = Lines()
    t = out.t
    t(node, _A, _TL["Mention"])
    t(node, _GENERATED, extraction)
    t(node, _TL["surfaceForm"], nt_literal(m.text))
    t(node, _TL["startOffset"], _int(m.start))
    t(node, _TL["endOffset"], _int(m.end))
    if m.actor:
        t(node, _TL["linkedTo"], iri.actor(m.actor))
    else:
        for c in m.candidates:
            t(node, _TL["candidate"], iri.actor(c))
    if m.method:
        t(node, _TL["linkMethod"], nt_literal(m.method))
    return out


def claim_block(iri: NtIris, c: Claim) -> Lines:
    """The triples of one claim and its verifications."""
    out = Lines()
    t = out.t
    node = iri.claim(c.id)
    t(node, _A, _TL["Claim"])
    t(node, _ID, nt_literal(c.id))
    statement = nt_literal(c.statement)
    t(node, _TL["statement"], statement)
    t(node, _LABEL, statement)
    t(node, _ATTRIBUTED, iri.actor(c.claimed_by))
    if c.about:
        t(node, _TL["about"], iri.event(c.about))
    if c.value is not None:
        t(node, _VALUE, _nt_value(c.value))
    if c.unit:
        t(node, _TL["unit"], nt_literal(c.unit))
        if currency(c.unit):
            t(node, _u(SCHEMA.currency), nt_literal(c.unit))
    t(node, _TL["approximateValue"], _bool(c.approximate))
    if c.date:
        _nt_date(out, iri, node, c.date, _sub(node, "time"))
    _nt_sources(out, iri, node, c.sources)
    disagreeing = c.disagreements()
    t(node, _TL["disagrees"], _bool(bool(disagreeing)))
    for i, v in enumerate(c.verifications, 1):
        vn = _sub(node, "verification", str(i))
        t(node, _TL["verification"], vn)
        t(vn, _A, _TL["Verification"])
        t(vn, _u(SCHEMA.itemReviewed), node)
        t(vn, _ATTRIBUTED, iri.actor(v.by))
        t(vn, _TL["verdict"], _u(VERDICT[v.verdict]))
        t(vn, _TL["approximateValue"], _bool(v.approximate))
        t(vn, _TL["disagrees"], _bool(v in disagreeing))
        if v.value is not None:
            t(vn, _VALUE, _nt_value(v.value))
        if v.date:
            _nt_date(out, iri, vn, v.date, _sub(vn, "time"))
        if v.note:
            t(vn, _TL["note"], nt_literal(v.note))
        _nt_sources(out, iri, vn, v.sources)
    return out


def relation_block(iri: NtIris, r: Relation, subject_lines: Lines) -> Lines:
    """The triples of one relation node; the direct actor-to-actor triple goes to
    `subject_lines` (the subject actor's block), as its subject is the actor."""
    out = Lines()
    t = out.t
    node = iri("relation", r.key)
    s, o = iri.actor(r.subject), iri.actor(r.object)
    prop = _u(relation_property(r.type))
    subject_lines.t(s, prop, o)
    t(node, _A, _TL["ActorRelation"])
    t(node, _TL["relationSubject"], s)
    t(node, _TL["relationObject"], o)
    t(node, _TL["relationType"], prop)
    # typed timestamps for SPARQL, and each date as written (a range, approximate) to read back
    if r.start:
        t(node, _SEM["hasBeginTimeStamp"], _nt_typed(r.start.start))
        t(node, _SEM["hasEarliestBeginTimeStamp"], f'"{r.start.earliest.isoformat()}"^^{_XSD_DATE}')
        t(node, _TL["startDate"], nt_literal(str(r.start)))
    if r.end:
        t(node, _SEM["hasEndTimeStamp"], _nt_typed(r.end.end or r.end.start))
        t(node, _SEM["hasLatestEndTimeStamp"], f'"{r.end.latest.isoformat()}"^^{_XSD_DATE}')
        t(node, _TL["endDate"], nt_literal(str(r.end)))
    if r.ended:
        t(node, _TL["ended"], _bool(True))
    if r.note:
        t(node, _TL["note"], nt_literal(r.note))
    _nt_sources(out, iri, node, r.sources)
    return out


BlockMaker = Callable[[Event, list[Mention]], str]
Part = Lines | Callable[[], "Lines | str"]
Render = Callable[[Lines], str]


def plan(
    build: Build, event_text: BlockMaker | None = None, render: Render = Lines.text
) -> list[tuple[str, Callable[[], str]]]:
    """Every block of the build as (subject IRI, a function that makes its text), sorted by
    IRI; `render` makes the text of a block's triples (`Lines.text` for N-Triples,
    `Lines.turtle` for Turtle). Event blocks, the bulk, are made only when asked for, so a
    writer can make, write and drop them chunk by chunk (100k events hold ~2 GB of N-Triples).

    `event_text(event, its mentions)` may serve an event's text from a cache (see
    `timeline.cache`); by default it is made here.
    """
    ds = build.dataset
    iri = NtIris(build.base or ds.dataset.base)
    found: dict[str, list[Part]] = defaultdict(list)
    found[iri("dataset")].append(dataset_block(build, iri))
    for s in ds.sources:
        found[iri.source(s.id)].append(source_block(iri, s))
    actor_lines: dict[str, Lines] = {}
    for a in ds.actors:
        actor_lines[iri.actor(a.id)] = lines = actor_block(iri, a)
        found[iri.actor(a.id)].append(lines)
    for r in ds.relations:
        subject = iri.actor(r.subject)
        if subject not in actor_lines:  # an unknown actor (only in a hand-made Build)
            actor_lines[subject] = lines = Lines()
            found[subject].append(lines)
        found[iri("relation", r.key)].append(relation_block(iri, r, actor_lines[subject]))
    for c in ds.claims:
        found[iri.claim(c.id)].append(claim_block(iri, c))
    by_event: dict[str, list[Mention]] = defaultdict(list)
    for m in build.mentions:
        by_event[m.event].append(m)

    def make(e: Event, ms: list[Mention]) -> Lines | str:
        return event_text(e, ms) if event_text else event_block(iri, e, ms)

    for e in ds.events:
        found[iri.event(e.id)].append(functools.partial(make, e, by_event.pop(e.id, [])))
    for event_id, ms in by_event.items():  # mentions of events the dataset lacks
        lines = Lines()
        _nt_mentions(lines, iri, iri.event(event_id), ms)
        found[iri.event(event_id)].append(lines)
    return [(root, functools.partial(_text, found[root], render)) for root in sorted(found)]


def _text(parts: list[Part], render: Render) -> str:
    made = [part if isinstance(part, Lines) else part() for part in parts]
    if len(made) == 1:
        return made[0] if isinstance(made[0], str) else render(made[0])
    # one subject, several entries (only in a hand-made Build): one sorted block
    merged = Lines()
    for part in made:
        if isinstance(part, str):  # served by `event_text`: a cache keeps such blocks alone
            raise ValueError("a cached block cannot be merged with another of its subject")
        merged += part
    return render(merged)


def blocks(
    build: Build, event_text: BlockMaker | None = None, render: Render = Lines.text
) -> list[tuple[str, str]]:
    """Every block of the build as (subject IRI, text), sorted by IRI (see `plan`)."""
    return [(root, text) for root, make in plan(build, event_text, render) if (text := make())]


def ntriples(build: Build) -> bytes:
    """The whole build as sorted N-Triples, one block after another (fast: no rdflib terms)."""
    return _encode("".join(text for _, text in blocks(build)))


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ExportError(
            f"the data holds a character that UTF-8 cannot encode ({text[exc.start]!a}, an "
            "unpaired surrogate, usually from a \\ud800-style escape in the YAML); remove it"
        ) from None


def to_rdf(build: Build) -> Graph:
    """The whole build as an rdflib Graph (the same triples as `ntriples` and `turtle`)."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    # The lines have one shape (ours), so reading them here is 2x faster than rdflib's parser.
    iris: dict[str, URIRef] = {}
    literals: dict[str, Literal] = {}

    def term(text: str) -> URIRef | Literal:
        if text[0] == "<":
            found = iris.get(text)
            if found is None:
                found = iris[text] = URIRef(text[1:-1])
            return found
        lit = literals.get(text)
        if lit is None:
            close = text.rindex('"')
            lexical = text[1:close]
            if "\\" in lexical:
                lexical = _UNESCAPE.sub(_unescape, lexical)
            datatype = iris.get(text[close + 3 :]) if close + 1 < len(text) else None
            if close + 1 < len(text) and datatype is None:
                datatype = iris[text[close + 3 :]] = URIRef(text[close + 4 : -1])
            lit = Literal(lexical, datatype=datatype)
            if len(literals) < 100_000:
                literals[text] = lit
        return lit

    add = g.add
    for _, text in blocks(build):
        for line in text[:-1].split("\n"):  # not splitlines: literals may hold U+2028
            s, p, o = line[:-2].split(" ", 2)
            add((term(s), term(p), term(o)))
    return g


_UNESCAPE = re.compile(r"\\(?:u([0-9A-F]{4})|(.))")
_ECHARS = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(m: re.Match[str]) -> str:
    return chr(int(m.group(1), 16)) if m.group(1) else _ECHARS[m.group(2)]


# --- Turtle, chunk by chunk ----------------------------------------------------------------

CHUNK_EVERY = 128
"""Blocks are written to Turtle in chunks that end after a block whose IRI hashes to 0 mod
this: content-defined boundaries, so adding or removing an event moves no other boundary and a
cache of chunks stays valid (see `timeline.cache`)."""


T = TypeVar("T")


def chunked(items: list[tuple[str, T]]) -> list[list[tuple[str, T]]]:
    """(IRI, anything) blocks in chunks with content-defined boundaries."""
    import zlib

    out: list[list[tuple[str, T]]] = [[]]
    for item in items:
        out[-1].append(item)
        if zlib.crc32(item[0].encode("utf-8", "surrogatepass")) % CHUNK_EVERY == 0:
            out.append([])
    return [c for c in out if c]


def turtle_header(build_id: str = "") -> bytes:
    """The @prefix lines every Turtle file of a build starts with, in a fixed order, after a
    comment naming the build (`timeline.store`) when there is one."""
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    return ((f"# timeline build {build_id}\n" if build_id else "") + prefixes).encode()


def turtle_chunk(chunk: list[tuple[str, str]]) -> bytes:
    """The Turtle (without @prefix lines) of a run of blocks already rendered as Turtle."""
    return _encode("".join(text for _, text in chunk))


def turtle(build: Build, progress: Callable[[str], None] | None = None) -> bytes:
    """The build as Turtle: sorted, grouped by subject, the usual prefixes.

    Blocks are made chunk by chunk and dropped once written, to keep memory flat.
    """
    # One growing buffer, not a list joined at the end: that join held the Turtle twice
    # (2 GB at 100k events). `timeline build` streams `turtle_parts` to the file instead.
    out = bytearray()
    for part in turtle_parts(build, progress):
        out += part
    return cast(bytes, out)  # behaves as bytes everywhere it goes; bytes(out) would copy 1 GB


def turtle_parts(
    build: Build, progress: Callable[[str], None] | None = None, jobs: int | None = None
) -> Iterator[bytes]:
    """`turtle` piece by piece (the @prefix lines, then one piece per group of chunks), for
    writing to a file as it is made. The plan is made now, so that a bad base IRI is refused
    before any file is opened; the pieces are made as they are read, by `jobs` processes
    (None: two for a large build on a machine with two cores, see `turtle_jobs`)."""
    chunks = chunked(plan(build, render=Lines.turtle))
    return turtle_pieces(
        chunks, progress, turtle_jobs(len(build.dataset.events), jobs), build.build_id
    )


PARALLEL_MIN_EVENTS = 20_000
"""Below this, a second process costs more (fork, results sent back) than it saves."""
GROUP = 8
"""Chunks rendered per task when two processes write: about 1,000 events, ~8 MB of Turtle."""


def turtle_jobs(events: int, jobs: int | None = None) -> int:
    """How many processes write the Turtle (1 or 2): `jobs` if given, else 2 for a large build
    when the machine has two cores and the memory for a worker; 1 where it cannot fork."""
    import multiprocessing
    import os

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # workers inherit the plan by forking
    if jobs is not None:
        return min(2, max(1, jobs))
    if events < PARALLEL_MIN_EVENTS or (os.cpu_count() or 1) < 2:
        return 1
    from timeline.workers import room_for_a_worker

    return 2 if room_for_a_worker() else 1


Chunk = list[tuple[str, Callable[[], str]]]


def _render(group: list[Chunk]) -> list[bytes]:
    return [turtle_chunk([(root, make()) for root, make in chunk]) for chunk in group]


_FORKED: list[list[Chunk]] | None = None  # a worker's groups


def _render_forked(i: int) -> list[bytes]:
    assert _FORKED is not None
    return _render(_FORKED[i])


def turtle_pieces(
    chunks: list[Chunk],
    progress: Callable[[str], None] | None,
    jobs: int = 1,
    build_id: str = "",
) -> Iterator[bytes]:
    """The header, then each chunk's Turtle in order (`rendered`)."""
    yield turtle_header(build_id)
    yield from rendered(chunks, progress, jobs)


def rendered(
    chunks: list[Chunk], progress: Callable[[str], None] | None = None, jobs: int = 1
) -> Generator[bytes, None, None]:
    """Each chunk's Turtle, in order. With two jobs, a worker forked from this process (it
    inherits the plan: nothing is pickled but indices and the bytes made) renders every other
    group of chunks while this one renders the rest and writes; at most two groups wait in
    memory."""
    from timeline.load import gc_paused

    with gc_paused():  # millions of short-lived strings and tuples, none in cycles
        for piece in _turtle_groups(chunks, progress, jobs):
            yield from piece


def _turtle_groups(
    chunks: list[Chunk], progress: Callable[[str], None] | None, jobs: int
) -> Iterator[list[bytes]]:
    global _FORKED
    groups = [chunks[i : i + GROUP] for i in range(0, len(chunks), GROUP)]

    def say(i: int) -> None:
        if progress is not None and i % 6 == 0:
            progress(
                f"RDF and Turtle ({min((i + 1) * GROUP, len(chunks)):,}/{len(chunks):,} chunks)"
            )

    if jobs < 2 or len(groups) < 2:
        for i, group in enumerate(groups):
            say(i)
            yield _render(group)
        return
    import multiprocessing
    from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor

    from timeline.workers import ignore_interrupts

    _FORKED = groups
    try:
        with ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("fork"), initializer=ignore_interrupts
        ) as pool:
            waiting: dict[int, Future[list[bytes]]] = {}

            def ask(i: int) -> None:
                if i < len(groups):
                    waiting[i] = pool.submit(_render_forked, i)

            ask(1)
            ask(3)
            try:
                for i, group in enumerate(groups):
                    say(i)
                    if i % 2:
                        yield waiting.pop(i).result()
                        ask(i + 4)
                    else:
                        yield _render(group)
            except BrokenExecutor:
                raise ExportError(
                    "the second process writing Turtle stopped before it finished "
                    "(out of memory?); run the build again with --jobs 1"
                ) from None
            except BaseException:  # an error, Ctrl-C, a writer that stopped reading
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        _FORKED = None


def serialize(graph: Graph, fmt: str = "turtle") -> bytes:
    """Serialise deterministically: identical graphs give identical bytes."""
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format '{fmt}'; choose one of {', '.join(RDF_FORMATS)}")
    rdflib_fmt = RDF_FORMATS[fmt][0]
    if fmt == "ntriples":
        lines = graph.serialize(format="nt", encoding="utf-8").decode().split("\n")
        return ("\n".join(sorted({line for line in lines if line})) + "\n").encode()
    if fmt == "turtle":
        return _turtle(graph)
    if fmt == "jsonld":  # rdflib's JSON-LD and RDF/XML follow set order: not byte-stable
        from timeline.export.jsonld import serialize_jsonld

        return serialize_jsonld(graph)
    if fmt == "rdfxml":
        from timeline.export.rdfxml import serialize_rdfxml

        return serialize_rdfxml(graph)
    # TriG of a plain graph is its default graph only; `timeline export -f trig` writes one
    # named graph per source (timeline.export.trig)
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


def dataset_rdf(dataset: Dataset, base: str | None = None) -> Graph:
    """Convenience for notebooks: the RDF of a dataset without extraction."""
    from timeline.graph import build_graph

    return to_rdf(Build(dataset, build_graph(dataset), base=base))
