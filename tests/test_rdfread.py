"""`read_rdf` reads a build back from its graph alone: the same triples, the same dataset, and
every export the same but for the order of lists, which RDF does not keep."""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path
from typing import Any, get_args

import pyoxigraph as ox
import pytest
from pydantic import BaseModel

from benchlib import synth
from timeline.dates import PartialDate
from timeline.errors import QueryError
from timeline.export.formats import FORMATS, render
from timeline.export.html import render_view
from timeline.export.rdf import ntriples
from timeline.graph import Build, Mention
from timeline.models import Dataset, Event, Role
from timeline.pipeline import make_build
from timeline.rdfread import read_rdf
from timeline.vocab import DEFAULT_BASE

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parent / "data" / "events.yaml"
GOLDEN = HERE / "golden" / "input.yaml"
MINI = HERE / "data" / "mini.yaml"
EXPORTS = [f for f in FORMATS if f not in {"turtle", "ntriples", "jsonld", "trig", "rdfxml"}]

# Edge cases of what the graph says only in a label, in two places, or in no order: a source
# dated by a week, a span or mixed precisions (read from its label); claims and verifications
# whose own `approximate` differs from their date's (`tl:approximateValue` apart from
# `tl:approximate`); a quote cited as its event is; a relation's approximate ranges (read from
# `tl:startDate`/`tl:endDate`); a repeated alias; an ambiguous name linked by context (its
# candidates are not written) and one left unlinked; open-ended and unknown dates, bounded
# (follows, part_of) or not.
EDGE = """\
dataset:
  title: Edge cases
  description: What the graph says only in a label, or twice on one node.
  language: es
  base: https://example.org/edge/
sources:
  - {id: week, title: A week, published: "2026-01-05/2026-01-11"}
  - {id: span, title: A span, published: "~2025-11/2026-02"}
  - {id: mixed, title: Mixed precision, published: "2026-01-03/2026-02"}
  - id: year
    title: A year
    publisher: Publisher
    url: https://example.org/a?b=1&c=2
    published: "2024"
    retrieved: "2026-01-20"
    note: Read twice.
actors:
  - id: b-person
    name: Bea Person
    kind: person
    aliases: [Zed, Bea, Bea]
    description: Someone.
    same_as: [Q9, Q10]
  - {id: c-person, name: Cy Person, kind: person, aliases: [Zed]}
  - {id: an-org, name: An Org, kind: ngo}
  - {id: land, name: Land, kind: country}
events:
  - id: talk
    title: Bea Person talks in Land
    date: "2026-01-03"
    type: statement
    summary: Zed says things for An Org.
    places: [land]
    participants:
      - {actor: b-person, role: spokesperson}
      - {actor: an-org, role: agent}
      - {actor: b-person, role: agent}
    sources: [year, week]
    quotes:
      - {text: Cited as the event is, speaker: b-person, sources: [week, year]}
      - {text: Cited on its own, paraphrase: true, sources: [span]}
      - {text: Not cited}
    date_note: Reported a day later.
    status: planned
  - id: before
    title: Before the talk
    date: {relative_to: talk, from_days: -7, to_days: -1, as_stated: the week before}
    type: other
    summary: Zed said so.
    sources: [week]
    part_of: talk
    follows: [talk]
    caused_by: [talk]
  - id: later
    title: Later
    date: "~2026-02/2026-03"
    type: diplomacy
    summary: Cy Person and Bea Person meet.
    sources: [mixed]
  - id: afterwards
    title: Afterwards
    date: {relative_to: talk, from_days: 2, as_stated: afterwards}
    type: other
    summary: Open at its end.
    sources: [week]
  - id: by-then
    title: By then
    date: "../2026-01-20T18:00+01:00"
    type: other
    summary: Open at its start, with a time of day.
    sources: [week]
  - id: sometime
    title: Some time after the talk
    date: unknown
    type: other
    summary: Nobody knows when; after the talk.
    sources: [week]
    follows: [talk]
  - id: within
    title: Within the later span
    date: unknown
    type: other
    summary: Nobody knows when; during the later span.
    sources: [week]
    part_of: later
  - id: never
    title: Never dated
    date: unknown
    type: other
    summary: Nobody knows when at all.
    sources: [span]
claims:
  - {id: a-rough-claim, statement: about so many, claimed_by: an-org, value: 12,
     approximate: true, date: "2026-01", sources: [year]}
  - {id: b-rough-date, about: talk, statement: exactly, claimed_by: an-org, value: 1.5,
     unit: km, date: "~2026-01-04", sources: [week, year]}
  - {id: c-both-rough, statement: roughly, claimed_by: b-person, value: many,
     approximate: true, date: "~2026", sources: [span]}
  - id: d-checked
    statement: checked three times
    claimed_by: b-person
    value: 100
    sources: [year]
    verifications:
      - {by: c-person, value: 90, approximate: true, verdict: disputed, date: "2026-01-05",
         sources: [week, span], note: Counted again.}
      - {by: an-org, verdict: confirmed, date: "~2026-01", sources: [year]}
      - {by: land, value: 100, verdict: partially-confirmed, sources: [mixed]}
relations:
  - {id: custom, subject: b-person, type: member-of, object: an-org, start: "~2025-03/2025-06",
     end: "~2026/2027", sources: [year, week], note: Since spring.}
  - {subject: an-org, type: located-in, object: land, sources: [year]}
  - {subject: c-person, type: opposes, object: b-person, end: "2026-01", sources: [span]}
"""


def _store(data: bytes) -> ox.Store:
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


@functools.cache
def _read_back(path: Path) -> tuple[Build, Build]:
    """(the build made from the YAML at `path`, the build read back from its graph)."""
    original = make_build(path, ner="gazetteer")
    base = original.base or original.dataset.dataset.base or DEFAULT_BASE
    return original, read_rdf(_store(ntriples(original)), base)


@pytest.fixture(scope="module", params=["shipped", "golden", "mini", "synthetic", "edge"])
def pair(request, tmp_path_factory) -> tuple[Build, Build]:
    path = {"shipped": SHIPPED, "golden": GOLDEN, "mini": MINI}.get(request.param)
    if path is None:
        path = tmp_path_factory.mktemp(request.param) / "events.yaml"
        if request.param == "synthetic":
            synth.write(300, path, seed=3)
        else:
            path.write_text(EDGE, encoding="utf-8")
    return _read_back(path)


def test_the_graph_is_the_same(pair):
    original, back = pair
    assert original.mentions, "the mentions are part of the graph compared"
    before = set(ox.parse(ntriples(original), format=ox.RdfFormat.N_TRIPLES))
    after = set(ox.parse(ntriples(back), format=ox.RdfFormat.N_TRIPLES))
    lost, added = sorted(map(str, before - after)), sorted(map(str, after - before))
    assert (lost[:10], added[:10]) == ([], [])
    assert len(after) == len(before)


# Lists compared as sorted lists of distinct items: RDF keeps no order among the values of one
# property, nor among the nodes of one kind, and a value given twice is one triple. Quotes and
# verifications stay ordered: the number in their IRIs (…/quote/2) keeps their order.
UNORDERED = {
    "Dataset": {"sources", "actors", "events", "claims", "relations"},
    "Actor": {"aliases", "same_as"},
    "Event": {"places", "participants", "sources", "follows", "caused_by"},
    "Quote": {"sources"},
    "Claim": {"sources"},
    "Verification": {"sources"},
    "Relation": {"sources"},
}


def _plain(value: Any, unordered: bool = False) -> Any:
    """A model as plain values, every field, with the UNORDERED lists sorted and distinct."""
    if isinstance(value, BaseModel):
        fields = UNORDERED.get(type(value).__name__, set())
        return {f: _plain(getattr(value, f), f in fields) for f in type(value).model_fields}
    if isinstance(value, PartialDate):  # its == leaves out relative_to and as_stated
        return (str(value), value.relative_to, value.as_stated)
    if isinstance(value, list):
        items = [_plain(v) for v in value]
        return sorted({repr(i): i for i in items}.values(), key=repr) if unordered else items
    return value


def _as_the_graph_says(ds: Dataset) -> Dataset:
    """What the graph cannot say, besides order, as `rdfread` reads it back (its docstring)."""

    def event(e: Event) -> Event:
        quotes = [
            q.model_copy(update={"sources": []}) if set(q.sources) == set(e.sources) else q
            for q in e.quotes
        ]
        return e.model_copy(update={"quotes": quotes})

    info = ds.dataset.model_copy(update={"base": None})
    return ds.model_copy(
        update={
            "dataset": info,
            "events": [event(e) for e in ds.events],
        }
    )


def test_the_dataset_is_the_same(pair):
    original, back = pair
    assert _plain(back.dataset) == _plain(_as_the_graph_says(original.dataset))


def _mention_as_the_graph_says(m: Mention) -> Mention:
    """No NER label; candidates only of an unlinked mention, sorted."""
    return m._replace(label="", candidates=() if m.actor else tuple(sorted(m.candidates)))


def test_the_mentions_are_the_same(pair):
    original, back = pair
    assert back.pipeline == original.pipeline
    assert sorted(back.mentions) == sorted(map(_mention_as_the_graph_says, original.mentions))


def test_mentions_come_in_event_order_then_by_offset(pair):
    _, back = pair
    rank = {e.id: i for i, e in enumerate(back.dataset.events)}
    found = [(rank[m.event], m.start, m.end) for m in back.mentions]
    assert found == sorted(found)


# --- the exports -----------------------------------------------------------------------------


def _in_read_back_order(build: Build) -> Build:
    """The build with its lists in the order `read_rdf` gives them (its docstring): what its
    exports must match byte for byte."""
    roles = get_args(Role)
    ds = _as_the_graph_says(build.dataset)

    def event(e: Event) -> Event:
        quotes = [q.model_copy(update={"sources": sorted(q.sources)}) for q in e.quotes]
        participants = sorted(e.participants, key=lambda p: (roles.index(p.role), p.actor))
        return e.model_copy(
            update={
                "places": sorted(e.places),
                "participants": participants,
                "sources": sorted(e.sources),
                "follows": sorted(e.follows),
                "caused_by": sorted(e.caused_by),
                "quotes": quotes,
            }
        )

    claims = [
        c.model_copy(
            update={
                "sources": sorted(c.sources),
                "verifications": [
                    v.model_copy(update={"sources": sorted(v.sources)}) for v in c.verifications
                ],
            }
        )
        for c in ds.claims
    ]
    actors = [
        a.model_copy(update={"aliases": sorted(set(a.aliases)), "same_as": sorted(a.same_as)})
        for a in ds.actors
    ]
    events = sorted(map(event, ds.events), key=lambda e: (e.when.sort_key, e.id))
    relations = [r.model_copy(update={"sources": sorted(r.sources)}) for r in ds.relations]
    dataset = Dataset(
        dataset=ds.dataset,
        sources=sorted(ds.sources, key=lambda s: s.id),
        actors=sorted(actors, key=lambda a: a.id),
        events=events,
        claims=sorted(claims, key=lambda c: c.id),
        relations=sorted(relations, key=lambda r: r.key),
    )
    rank = {e.id: i for i, e in enumerate(events)}
    mentions = sorted(
        map(_mention_as_the_graph_says, build.mentions),
        key=lambda m: (rank[m.event], m.start, m.end),
    )
    return Build(dataset, mentions=mentions, pipeline=build.pipeline, base=build.base)


def _output(build: Build, fmt: str) -> bytes:
    return render_view(build) if fmt == "view" else render(build, fmt)


@pytest.mark.parametrize("fmt", [*EXPORTS, "view"])
def test_every_export_differs_only_in_the_order_of_lists(pair, fmt):
    original, back = pair
    assert _output(back, fmt) == _output(_in_read_back_order(original), fmt)


def _outputs(build: Build) -> dict[str, bytes]:
    """Every export and the view, and each CSV table on its own."""
    found = {fmt: _output(build, fmt) for fmt in [*EXPORTS, "view"]}
    with zipfile.ZipFile(io.BytesIO(found["csv"])) as tables:
        found.update({f"csv/{name}": tables.read(name) for name in tables.namelist()})
    return found


def test_which_exports_of_the_shipped_data_are_byte_identical():
    """Four CSV tables only: sources.csv (one source), verifications.csv (the two verified
    claims are in id order in the YAML too), quotes.csv (numbered in their order) and
    media.csv (none in the shipped data; positioned when there are). Every other output shows
    a list in the YAML's order, which the graph does not keep: an event's places and
    participants (markdown, timelinejs, csv events and participations), the actors and their
    aliases (csv actors, gexf, graphml, view), the claims and relations (csv)."""
    original, back = _read_back(SHIPPED)
    before, after = _outputs(original), _outputs(back)
    same = {name for name in before if before[name] == after[name]}
    assert same == {
        "csv/sources.csv",
        "csv/verifications.csv",
        "csv/quotes.csv",
        "csv/media.csv",
        "csv/quantities.csv",
    }
    # row order aside, three more tables are the same
    rows = {
        n for n in before if sorted(before[n].split(b"\r\n")) == sorted(after[n].split(b"\r\n"))
    }
    assert rows - same == {"csv/claims.csv", "csv/participations.csv", "csv/relations.csv"}


# --- graphs that are not a dataset ----------------------------------------------------------


def test_a_graph_under_another_base_is_refused():
    store = _store(ntriples(make_build(MINI, ner="none")))
    with pytest.raises(QueryError) as caught:
        read_rdf(store, "https://example.org/other/")
    assert str(caught.value) == (
        "the graph holds no timeline dataset at <https://example.org/other/dataset>; "
        "was it written with another base IRI? (give that one)"
    )


def test_a_node_that_is_not_a_valid_model_is_refused_with_its_iri():
    store = _store(ntriples(make_build(MINI, ner="none")))
    event = ox.NamedNode(f"{DEFAULT_BASE}event/capture")
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    for quad in list(store.quads_for_pattern(event, title, None)):
        store.remove(quad)
    with pytest.raises(QueryError) as caught:
        read_rdf(store, DEFAULT_BASE)
    assert str(caught.value) == (
        f"the graph's <{DEFAULT_BASE}event/capture> is not a valid event: "
        "title: Input should be a valid string"
    )


@pytest.mark.server
def test_a_build_fetched_from_a_server_is_the_build_read_here(tmp_path, runner):
    """`timeline push` of a build folder, then `fetch_build` over HTTP (CONSTRUCT, loaded into
    a local store, `read_rdf`): the very build read from the graph here, in the same order."""
    from servers import oxigraph_server
    from timeline.cli import app
    from timeline.net import Remote
    from timeline.remote import fetch_build

    out = tmp_path / "out"
    built = runner.invoke(
        app, ["build", str(SHIPPED), "-o", str(out), "--ner", "gazetteer", "--no-cache"]
    )
    assert built.exit_code == 0, built.output
    with oxigraph_server(tmp_path / "oxigraph") as url:
        pushed = runner.invoke(app, ["push", str(out), "--endpoint", f"{url}/store"])
        assert pushed.exit_code == 0, pushed.output
        fetched = fetch_build(Remote(f"{url}/query"))
    _, back = _read_back(SHIPPED)
    assert (fetched.base, fetched.pipeline) == (back.base, back.pipeline)
    assert fetched.dataset == back.dataset
    assert fetched.mentions == back.mentions
    assert {fmt: render(fetched, fmt) for fmt in EXPORTS} == {
        fmt: render(back, fmt) for fmt in EXPORTS
    }
