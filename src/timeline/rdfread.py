"""A build read back from its RDF graph, for the commands that work against a remote store.

`read_rdf(store, base)` takes a pyoxigraph store whose default graph holds the triples of one
dataset, as `timeline.export.rdf` writes them (and `timeline push` uploads them), and returns the
`Build` every export and the HTML view are made from. Each kind of node (sources, actors, events,
participations, quotes, mentions, claims, verifications, relations) is read with one SELECT of
all its properties; nothing is asked per item.

Writing the read-back build gives the same graph, triple for triple (tests/test_rdfread.py).
What the graph does not say, and what is read back in its place:

- The order of every list, which RDF does not keep: sources, actors, claims and relations come
  sorted by id (relations by key); events in date order (`Dataset.events_by_date`); an event's
  places, sources, follows and caused_by, an actor's aliases and same_as, and the sources of a
  claim, a verification, a quote and a relation, sorted; participants by role, in the order
  `models.Role` lists the roles (agent first), then by actor. Quotes and verifications keep their
  order: it is in their IRIs (``…/quote/2``). Repeated items of those lists (an alias written
  twice) are one triple, so they come back once.
- A relative event date's window (`from_days`, `to_days`): the date comes back resolved, with
  `relative_to` and `as_stated` set, as the loader leaves it (`Event.when`).
- A quote citing exactly its event's sources comes back citing none (the graph writes an
  uncited quote with its event's sources, so the two are one graph).
- Nothing of a relation: its dates are read as written (`tl:startDate`, `tl:endDate`), its id
  from its IRI (a key with ``--`` is the default ``subject--type--object``, as no id may hold
  ``--``).
- The dataset's `base` (back as None; the build carries `base` instead, which the IRIs are
  under), and the build's `build_id` (back as ""). Its `id`, `language` and `ner` are on the
  dataset node (`dcterms:identifier`, `dcterms:language`, `tl:nerChoice`).
- Of a mention: its NER `label` (back as ""), and the candidates of a mention that was linked
  (only an unlinked mention's candidates are written; they come back sorted); `pipeline` is the
  extraction's `tl:extractedBy`. Mentions come back in event order, then by offset; two
  mentions of one event with the same offsets are one node, so they come back as one.

A source's `published` date is written as its first ISO prefix and its label; whether it is
approximate or a range is read from the label (``~ Jan 2026``, ``week of 5 Jan 2026``). A
claim's (or verification's) own `approximate` is `tl:approximateValue`, apart from its date's.

Models are made with `model_validate` on plain dicts: 0.10 s of the 2.1 s that 10k events (1.25M
triples) take, and `model_construct` was no faster (0.12 s), so a graph that does not hold a valid
dataset is refused, with the IRI of the node at fault, at no cost. Cross-references
(an event's participant is a known actor, ...) are not checked again: the graph was written from
a dataset that passed them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, TypeVar, get_args

import pyoxigraph as ox
from pydantic import ValidationError
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, XSD

from timeline.dates import _MONTHS, PartialDate
from timeline.errors import QueryError
from timeline.export.rdf import Iris
from timeline.graph import Build, Mention
from timeline.load import gc_paused
from timeline.models import (
    Actor,
    Claim,
    Dataset,
    DatasetInfo,
    Event,
    Model,
    Relation,
    RelationType,
    Role,
    Source,
)
from timeline.vocab import (
    ACTOR_KIND,
    EVENT_TYPE,
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

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = dict[str, list[Term]]
"""A node's properties: predicate IRI -> its objects."""

M = TypeVar("M", bound=Model)

# Terms as plain strings, as query results give them (an rdflib URIRef hashes differently).
_TL = {name: str(getattr(TL, name)) for name in TL.__annotations__}
_SEM = {
    name: str(SEM[name])
    for name in "Event eventType hasActor hasPlace roleType subEventOf hasTimeStamp "
    "hasBeginTimeStamp hasEndTimeStamp hasEarliestBeginTimeStamp hasLatestEndTimeStamp".split()
}
_TYPE, _VALUE = str(RDF.type), str(RDF.value)
_ID, _TITLE, _DESCRIPTION = str(DCTERMS.identifier), str(DCTERMS.title), str(DCTERMS.description)
_PUBLISHER, _ISSUED = str(DCTERMS.publisher), str(DCTERMS.issued)
_DERIVED, _ATTRIBUTED = str(PROV.wasDerivedFrom), str(PROV.wasAttributedTo)
_PREF_LABEL, _ALT_LABEL, _SAME_AS = str(SKOS.prefLabel), str(SKOS.altLabel), str(OWL.sameAs)
_WORK, _URL, _TEXT = str(SCHEMA.CreativeWork), str(SCHEMA.url), str(SCHEMA.text)
_KIND, _EVENT_TYPE, _STATUS = str(ACTOR_KIND), str(EVENT_TYPE), str(STATUS)
_VERDICT, _WD = str(VERDICT), str(WD)
_ROLES = {str(ROLE[r]): r for r in get_args(Role)}
_ROLE_RANK = {r: i for i, r in enumerate(get_args(Role))}
_RELATION_TYPES = {str(relation_property(t)): t for t in get_args(RelationType)}
_INTEGER, _DOUBLE = str(XSD.integer), str(XSD.double)
_DERIVED_EVENT_LINKS = (
    _TL["mention"],
    _TL["mentions"],
    _SEM["hasActor"],
    _SEM["hasEarliestBeginTimeStamp"],
    _SEM["hasLatestEndTimeStamp"],
    _TL["datePrecision"],
    str(TIME.hasTime),
)
_MENTIONS = f"""SELECT ?event ?mention ?start ?end ?text ?actor ?method ?candidate WHERE {{
  ?event <{_TL["mention"]}> ?mention .
  ?mention <{_TL["startOffset"]}> ?start ; <{_TL["endOffset"]}> ?end ;
    <{_TL["surfaceForm"]}> ?text .
  OPTIONAL {{ ?mention <{_TL["linkedTo"]}> ?actor }}
  OPTIONAL {{ ?mention <{_TL["linkMethod"]}> ?method }}
  OPTIONAL {{ ?mention <{_TL["candidate"]}> ?candidate }}
}}"""
"""Every mention with its event, one row each (one per candidate for an unlinked one)."""


def read_rdf(store: ox.Store, base: str) -> Build:
    """The build whose graph `store` holds (one dataset, its IRIs under `base`)."""
    with gc_paused():  # a million short-lived terms and strings, none in cycles
        return _read(store, base)


def _read(store: ox.Store, base: str) -> Build:
    root = Iris(base).base

    def nodes(kind: str) -> dict[str, Node]:
        return _nodes(store, f"?s a <{kind}> .")

    top = _nodes(store, f"VALUES ?s {{ <{root}dataset> <{root}dataset/extraction> }}")
    about = top.get(f"{root}dataset", {})
    if _TL["Dataset"] not in _iris(about, _TYPE):
        raise QueryError(
            f"the graph holds no timeline dataset at <{root}dataset>; was it written with "
            "another base IRI? (give that one)"
        )
    pipeline = _text(top.get(f"{root}dataset/extraction", {}), _TL["extractedBy"]) or ""
    info: dict[str, Any] = {
        "id": _text(about, _ID),
        "title": _text(about, _TITLE),
        "description": _text(about, _DESCRIPTION),
        "language": _text(about, str(DCTERMS.language)) or "en",
        "ner": _text(about, _TL["nerChoice"]),
        "event_types": {
            _local(concept, f"{root}event-type/"): _local(parent, _EVENT_TYPE)
            for concept, parent in _broader(store, f"{root}event-type/")
        },
    }
    at = _Ids(root)
    sources = [_source(at, s, n) for s, n in nodes(_WORK).items()]
    media = nodes(str(SCHEMA.MediaObject))
    quantities = nodes(str(SCHEMA.QuantitativeValue))
    actor_nodes = _nodes(store, f"?s <{_TL['actorKind']}> [] .")
    actors = [_actor(at, s, n, media) for s, n in actor_nodes.items()]
    participations, quotes = nodes(_TL["Participation"]), nodes(_TL["Quote"])
    # not the links to mentions, read with the mentions, nor what the date and roles imply
    skip = ", ".join(f"<{p}>" for p in _DERIVED_EVENT_LINKS)
    event_nodes = _nodes(store, f"?s a <{_SEM['Event']}> . FILTER(?p NOT IN ({skip}))")
    events = sorted(
        (
            _event(at, s, n, participations, quotes, media, quantities)
            for s, n in event_nodes.items()
        ),
        key=lambda e: (e.when.sort_key, e.id),
    )
    verifications = nodes(_TL["Verification"])
    claims = [_claim(at, s, n, verifications) for s, n in nodes(_TL["Claim"]).items()]
    relations = [_relation(at, s, n) for s, n in nodes(_TL["ActorRelation"]).items()]
    dataset = Dataset(
        dataset=_valid(DatasetInfo, info, f"{root}dataset"),
        sources=sorted(sources, key=lambda s: s.id),
        actors=sorted(actors, key=lambda a: a.id),
        events=events,
        claims=sorted(claims, key=lambda c: c.id),
        relations=sorted(relations, key=lambda r: r.key),
    )
    mentions = _mentions(store, at, pipeline, [e.id for e in events])
    return Build(dataset, mentions=mentions, pipeline=pipeline, base=base)


class _Ids:
    """Curated ids from the IRIs under one base: ``{base}actor/nicolas-maduro`` -> the slug."""

    def __init__(self, root: str) -> None:
        self.root = root

    def __call__(self, kind: str, iri: str | None) -> str | None:
        return None if iri is None else _local(iri, f"{self.root}{kind}/")

    def all(self, kind: str, node: Node, predicate: str) -> list[str]:
        prefix = f"{self.root}{kind}/"
        return sorted(_local(i, prefix) for i in _iris(node, predicate))


def _local(iri: str, prefix: str) -> str:
    """The part of `iri` after `prefix` (a namespace, or a kind of node under the base)."""
    if not iri.startswith(prefix):
        raise QueryError(
            f"the graph holds <{iri}> where an IRI under <{prefix}> belongs; was it written "
            "with another base IRI? (give that one)"
        )
    return iri[len(prefix) :]


def _nodes(store: ox.Store, where: str) -> dict[str, Node]:
    """Every property of every node `where` binds to ?s, in one SELECT."""
    found: dict[str, Node] = {}
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ {where} ?s ?p ?o }}")
    assert isinstance(rows, ox.QuerySolutions)
    for s, p, o in rows:
        node = found.get(s.value)
        if node is None:
            node = found[s.value] = {}
        objects = node.get(p.value)
        if objects is None:
            node[p.value] = [o]
        else:
            objects.append(o)
    return found


def _text(node: Node, predicate: str) -> str | None:
    """The one value of `predicate` (the least, should a foreign graph hold several)."""
    objects = node.get(predicate)
    if not objects:
        return None
    return objects[0].value if len(objects) == 1 else min(o.value for o in objects)


def _iris(node: Node, predicate: str) -> list[str]:
    return [o.value for o in node.get(predicate, ())]


def _broader(store: ox.Store, prefix: str) -> list[tuple[str, str]]:
    """(concept, broader) of the dataset's own event types."""
    rows = store.query("SELECT ?c ?b WHERE { ?c <http://www.w3.org/2004/02/skos/core#broader> ?b }")
    assert isinstance(rows, ox.QuerySolutions)
    return [(c.value, b.value) for c, b in rows if c.value.startswith(prefix)]


def _event_type(node: Node, root: str) -> str | None:
    """One of our types, or the dataset's own (a concept under its base)."""
    iri = _text(node, _SEM["eventType"])
    if iri is not None and iri.startswith(f"{root}event-type/"):
        return _local(iri, f"{root}event-type/")
    return _name(node, _SEM["eventType"], _EVENT_TYPE)


def _name(node: Node, predicate: str, namespace: str) -> str | None:
    """A vocabulary term's local name: etype:military-operation -> 'military-operation'."""
    iri = _text(node, predicate)
    return None if iri is None else _local(iri, namespace)


def _valid(model: type[M], data: dict[str, Any], iri: str) -> M:
    """The model of one node, or the node's IRI and what is wrong with it."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise QueryError(
            f"the graph's <{iri}> is not a valid {model.__name__.lower()}: "
            f"{where or 'value'}: {first['msg']}"
        ) from None


def _date(at: _Ids, node: Node) -> PartialDate | None:
    """A date as `export.rdf._nt_date` writes it on its owner's node; None if it has none.

    Whether it is approximate comes from its label (``~ Jan 2026``): a claim's node also holds
    the claim's own `tl:approximate`."""
    label = _text(node, _TL["dateLabel"])
    if label and label.startswith("date unknown"):
        try:
            return _unknown(label)
        except ValueError:
            raise QueryError(f"the graph's date label {label!r} is not one we write") from None
    start = _text(node, _SEM["hasTimeStamp"])
    if start is None:
        begin, end = _text(node, _SEM["hasBeginTimeStamp"]), _text(node, _SEM["hasEndTimeStamp"])
        if begin is None and end is None:
            return None
        start = f"{begin or '..'}/{end or '..'}"
    approximate = label.startswith("~ ") if label else _text(node, _TL["approximate"]) == "true"
    try:
        when = PartialDate.parse(f"~{start}" if approximate else start)
    except ValueError as exc:
        raise QueryError(f"the graph's date {start!r}: {exc}") from None
    relative_to, as_stated = (
        at("event", _text(node, _TL["relativeTo"])),
        _text(node, _TL["asStated"]),
    )
    if relative_to or as_stated:
        when = replace(when, relative_to=relative_to, as_stated=as_stated)
    return when


def _unknown(label: str) -> PartialDate:
    """An unknown date with the bounds the loader gave it, from its label (``date unknown
    (after 3 Jan 2026)``, ``(before …)``, ``(1 Feb 2026 – 31 Mar 2026)``): the bounds beside
    it are not read, as what the date implies."""
    inner = label.partition("(")[2].rstrip(")")
    lower, upper = date.min, date.max
    if inner.startswith("after "):
        lower = date.fromisoformat(_iso(inner[6:]))
    elif inner.startswith("before "):
        upper = date.fromisoformat(_iso(inner[7:]))
    elif " – " in inner:
        first, last = inner.split(" – ")
        lower, upper = date.fromisoformat(_iso(first)), date.fromisoformat(_iso(last))
    elif inner:
        lower = upper = date.fromisoformat(_iso(inner))
    return PartialDate.unknown(lower, upper)


def _approximate(node: Node, when: PartialDate | None) -> bool:
    """A claim's or verification's own `approximate` (of its value): `tl:approximateValue`."""
    return _text(node, _TL["approximateValue"]) == "true"


def _value(node: Node, predicate: str = _VALUE) -> int | float | str | None:
    """rdf:value as `export.rdf._nt_value` writes it: xsd:integer, xsd:double, or a string."""
    objects = node.get(predicate)
    if not objects:
        return None
    term = objects[0]
    if isinstance(term, ox.Literal):
        kind = term.datatype.value
        if kind == _INTEGER:
            return int(term.value)
        if kind == _DOUBLE:
            return float(term.value)
    return term.value


def _published(start: str | None, label: str | None) -> str | None:
    """A source's date, as the text the model reads (``~2025-11/2026-02``): the graph gives its
    first ISO prefix and its label, which alone says whether it is approximate or a range
    (``~ Nov 2025 – Feb 2026``, ``week of 5 Jan 2026``)."""
    if start is None or not label:
        return start
    approximate = label.startswith("~ ")
    body = label[2:] if approximate else label
    try:
        end = None
        if body.startswith("week of "):
            end = (date.fromisoformat(start) + timedelta(days=6)).isoformat()
        elif " – " in body:
            end = _iso(body.rsplit(" – ", 1)[1])
        text = f"{'~' if approximate else ''}{start}{f'/{end}' if end else ''}"
        if PartialDate.parse(text).label() == label:
            return text
    except ValueError:  # not a label `PartialDate.label` wrote
        pass
    return start  # what is known for sure; the model refuses it if it is no date


def _iso(label: str) -> str:
    """A date label back to its ISO prefix: '3 Jan 2026' -> '2026-01-03' (`dates._label`)."""
    *day_month, year = label.split()
    parts = [f"{int(year):04d}"]  # the label writes year 900 as "900"
    if day_month:
        parts.append(f"{_MONTHS.index(day_month[-1]) + 1:02d}")
    if len(day_month) == 2:
        parts.append(f"{int(day_month[0]):02d}")
    return "-".join(parts)


def _source(at: _Ids, iri: str, node: Node) -> Source:
    data = {
        "id": _text(node, _ID),
        "title": _text(node, _TITLE),
        "publisher": _text(node, _PUBLISHER),
        "url": _text(node, _URL),
        "published": _published(_text(node, _ISSUED), _text(node, _TL["dateLabel"])),
        "retrieved": _text(node, _TL["retrieved"]),
        "note": _text(node, _TL["note"]),
    }
    return _valid(Source, data, iri)


def _media(node: Node, media: dict[str, Node]) -> list[dict[str, Any]]:
    """An event's or actor's media, in their order (schema:position)."""
    found = []
    for m in _iris(node, str(SCHEMA.associatedMedia)):
        item = media.get(m, {})
        found.append(
            (
                int(_text(item, str(SCHEMA.position)) or 0),
                {
                    "url": _text(item, str(SCHEMA.contentUrl)),
                    "file": _text(item, _TL["mediaFile"]),
                    "credit": _text(item, str(SCHEMA.creditText)),
                    "caption": _text(item, str(SCHEMA.caption)),
                    "alt": _text(item, _TL["altText"]),
                },
            )
        )
    return [m for _, m in sorted(found, key=lambda f: f[0])]


def _quantities(node: Node, quantities: dict[str, Node]) -> list[dict[str, Any]]:
    """An event's quantities, in their order (schema:position)."""
    found = []
    for q in _iris(node, _TL["quantity"]):
        item = quantities.get(q, {})
        found.append(
            (
                int(_text(item, str(SCHEMA.position)) or 0),
                {
                    "value": _value(item, str(SCHEMA.value)),
                    "unit": _text(item, str(SCHEMA.unitText)),
                    "of": _text(item, _TL["quantityOf"]),
                    "approximate": _text(item, _TL["approximateValue"]) == "true",
                },
            )
        )
    return [q for _, q in sorted(found, key=lambda f: f[0])]


def _actor(at: _Ids, iri: str, node: Node, media: dict[str, Node]) -> Actor:
    data = {
        "id": _text(node, _ID),
        "name": _text(node, _PREF_LABEL),
        "kind": _name(node, _TL["actorKind"], _KIND),
        "aliases": sorted(_iris(node, _ALT_LABEL)),
        "description": _text(node, _DESCRIPTION),
        "same_as": sorted(_local(q, _WD) for q in _iris(node, _SAME_AS)),
        "media": _media(node, media),
        "review": sorted(_iris(node, _TL["review"])),
        "also": sorted(_local(k, _KIND) for k in _iris(node, _TL["alsoKind"])),
    }
    return _valid(Actor, data, iri)


def _event(
    at: _Ids,
    iri: str,
    node: Node,
    participations: dict[str, Node],
    quotes: dict[str, Node],
    media: dict[str, Node],
    quantities: dict[str, Node],
) -> Event:
    sources = at.all("source", node, _DERIVED)
    participants = []
    for part in _iris(node, _TL["participation"]):
        p = participations.get(part, {})
        participants.append(
            {
                "actor": at("actor", _text(p, _VALUE)),
                "role": _ROLES.get(_text(p, _SEM["roleType"]) or ""),
                "place": at("actor", _text(p, _SEM["hasPlace"])),
            }
        )
    participants.sort(key=lambda p: (_ROLE_RANK.get(p["role"] or "", -1), p["actor"] or ""))
    said = []
    for q in sorted(_iris(node, _TL["quote"]), key=_number):
        quote = quotes.get(q, {})
        cited = at.all("source", quote, _DERIVED)
        said.append(
            {
                "text": _text(quote, _TEXT),
                "speaker": at("actor", _text(quote, _TL["speaker"])),
                "paraphrase": _text(quote, _TL["paraphrase"]) == "true",
                "sources": [] if cited == sources else cited,
            }
        )
    data = {
        "id": _text(node, _ID),
        "title": _text(node, _TITLE),
        "date": _date(at, node),
        "type": _event_type(node, at.root),
        "summary": _text(node, _DESCRIPTION),
        "places": at.all("actor", node, _SEM["hasPlace"]),
        "participants": participants,
        "sources": sources,
        "part_of": at("event", _text(node, _SEM["subEventOf"])),
        "follows": at.all("event", node, _TL["follows"]),
        "caused_by": at.all("event", node, _TL["causedBy"]),
        "quotes": said,
        "date_note": _text(node, _TL["dateNote"]),
        "status": _name(node, _TL["status"], _STATUS),
        "media": _media(node, media),
        "quantities": _quantities(node, quantities),
        "review": sorted(_iris(node, _TL["review"])),
        "duplicate_of": at("event", _text(node, _TL["duplicateOf"])),
    }
    return _valid(Event, data, iri)


def _number(iri: str) -> int:
    """The place of a quote or verification, from its IRI: …/quote/2 -> 2."""
    tail = iri.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _claim(at: _Ids, iri: str, node: Node, verifications: dict[str, Node]) -> Claim:
    checks = []
    for v in sorted(_iris(node, _TL["verification"]), key=_number):
        check = verifications.get(v, {})
        when = _date(at, check)
        checks.append(
            {
                "by": at("actor", _text(check, _ATTRIBUTED)),
                "value": _value(check),
                "approximate": _approximate(check, when),
                "verdict": _name(check, _TL["verdict"], _VERDICT),
                "date": when,
                "sources": at.all("source", check, _DERIVED),
                "note": _text(check, _TL["note"]),
            }
        )
    when = _date(at, node)
    data = {
        "id": _text(node, _ID),
        "about": at("event", _text(node, _TL["about"])),
        "statement": _text(node, _TL["statement"]),
        "claimed_by": at("actor", _text(node, _ATTRIBUTED)),
        "value": _value(node),
        "unit": _text(node, _TL["unit"]),
        "approximate": _approximate(node, when),
        "date": when,
        "sources": at.all("source", node, _DERIVED),
        "verifications": checks,
    }
    return _valid(Claim, data, iri)


def _relation(at: _Ids, iri: str, node: Node) -> Relation:
    subject = at("actor", _text(node, _TL["relationSubject"]))
    obj = at("actor", _text(node, _TL["relationObject"]))
    kind = _RELATION_TYPES.get(_text(node, _TL["relationType"]) or "")
    key = at("relation", iri)
    start, end = _text(node, _TL["startDate"]), _text(node, _TL["endDate"])
    data = {
        "id": None if key == f"{subject}--{kind}--{obj}" else key,
        "subject": subject,
        "type": kind,
        "object": obj,
        "start": start,
        "end": end,
        "ended": _text(node, _TL["ended"]) == "true",
        "sources": at.all("source", node, _DERIVED),
        "note": _text(node, _TL["note"]),
    }
    return _valid(Relation, data, iri)


def _mentions(store: ox.Store, at: _Ids, pipeline: str, events: list[str]) -> list[Mention]:
    """Every mention, in the order of `events` (then of any event the dataset lacks), then by
    offset."""
    rows = store.query(_MENTIONS)
    assert isinstance(rows, ox.QuerySolutions)
    found: dict[str, Mention] = {}
    candidates: dict[str, list[str]] = {}
    for event, node, start, end, text, actor, method, candidate in rows:
        iri = node.value
        if candidate is not None:
            candidates.setdefault(iri, []).append(candidate.value)
        if iri in found:
            continue
        try:
            offsets = int(start.value), int(end.value)
        except ValueError:
            raise QueryError(
                f"the graph's mention <{iri}> has offsets that are not numbers"
            ) from None
        found[iri] = Mention(
            at("event", event.value) or "",
            *offsets,
            text.value,
            "",  # the NER label is not in the graph
            None if actor is None else at("actor", actor.value),
            (),
            pipeline,
            "" if method is None else method.value,
        )
    for iri, ids in candidates.items():
        found[iri] = found[iri]._replace(
            candidates=tuple(sorted(at("actor", c) or "" for c in ids))
        )
    rank = {e: i for i, e in enumerate(events)}
    return sorted(
        found.values(), key=lambda m: (rank.get(m.event, len(rank)), m.event, m.start, m.end)
    )
