"""Open-ended and unknown dates: "later", "earlier", "on or after", and events nobody can date,
ordered by what they follow and what they are part of, through the loader, RDF and every
export."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from browser import Tab, page  # noqa: F401  (`page` is the browser fixture)
from timeline.dates import PartialDate
from timeline.errors import InvalidDataset
from timeline.export.formats import render
from timeline.export.html import render_view, view_data
from timeline.load import read_dataset
from timeline.pipeline import make_build

STORY = """\
dataset: {title: A theft, id: theft, base: "https://example.org/theft/"}
sources:
  - {id: paper, title: The paper, publisher: A paper, published: 2025-10-20}
actors:
  - {id: museum, name: City Museum, kind: organization}
events:
  - id: theft
    title: Jewels taken from the museum
    date: 2025-10-19T09:30+02:00
    type: theft
    summary: Thieves take eight pieces.
    sources: [paper]
  - id: inquiry
    title: An inquiry opens
    date: {relative_to: theft, from_days: 1, as_stated: later}
    type: investigation
    summary: Prosecutors open an inquiry.
    sources: [paper]
  - id: scouting
    title: The thieves scout the museum
    date: {relative_to: theft, to_days: -1, as_stated: earlier}
    type: other
    summary: The thieves visited beforehand.
    sources: [paper]
  - id: getaway
    title: The thieves change vehicles
    date: unknown
    type: other
    summary: Somewhere, at some point after the theft.
    sources: [paper]
    follows: [theft]
  - id: week
    title: A week of searches
    date: 2025-10-20/2025-10-26
    type: investigation
    summary: Police search the city.
    sources: [paper]
  - id: raid
    title: A raid during the searches
    date: unknown
    type: investigation
    summary: One raid, on a day nobody gave.
    sources: [paper]
    part_of: week
  - id: origin
    title: Where the jewels came from
    date: unknown
    type: other
    summary: Nobody knows when the jewels were made.
    sources: [paper]
  - id: reopening
    title: The museum reopens
    date: 2025-10-22/..
    type: other
    summary: Not before the 22nd.
    sources: [paper]
"""


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("open") / "events.yaml"
    path.write_text(STORY, encoding="utf-8")
    return path


def test_forms_read_write_and_label() -> None:
    cases = {
        "2026-01-03/..": ("on or after 3 Jan 2026", date(2026, 1, 3), date.max),
        "../2026-01": ("on or before Jan 2026", date.min, date(2026, 1, 31)),
        "unknown": ("date unknown", date.min, date.max),
        "2026-01-03T09:30Z/..": ("on or after 3 Jan 2026 09:30 UTC", date(2026, 1, 3), date.max),
    }
    for text, (label, earliest, latest) in cases.items():
        when = PartialDate.parse(text)
        assert (str(when), when.label(), when.earliest, when.latest) == (
            text,
            label,
            earliest,
            latest,
        )
        assert PartialDate.parse(str(when)) == when
        assert not when.known
    for bad, message in {
        "../..": "date '../..' is not a date; write START/.. (on or after) or ../END (on or "
        "before), without ~",
        "~2026/..": "date '~2026/..' is not a date; write START/.. (on or after) or ../END (on "
        "or before), without ~",
    }.items():
        with pytest.raises(ValueError) as exc:
            PartialDate.parse(bad)
        assert str(exc.value) == message


def test_the_loader_bounds_and_orders_them(story: Path) -> None:
    ds = read_dataset(story)
    got = [(e.id, str(e.when), e.when.label()) for e in ds.events_by_date()]
    assert got == [
        ("scouting", "../2025-10-18", "on or before 18 Oct 2025"),
        ("theft", "2025-10-19T09:30+02:00", "19 Oct 2025 09:30 (UTC+02:00)"),
        ("getaway", "unknown", "date unknown (after 19 Oct 2025)"),
        ("week", "2025-10-20/2025-10-26", "week of 20 Oct 2025"),
        ("raid", "unknown", "date unknown (20 Oct 2025 – 26 Oct 2025)"),
        ("inquiry", "2025-10-20/..", "on or after 20 Oct 2025"),
        ("reopening", "2025-10-22/..", "on or after 22 Oct 2025"),
        ("origin", "unknown", "date unknown"),
    ]
    inquiry = ds.event("inquiry").when
    assert (inquiry.relative_to, inquiry.as_stated, inquiry.approximate) == (
        "theft",
        "later",
        False,
    )


def _refused(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidDataset) as exc:
        read_dataset(path)
    return [str(p) for p in exc.value.problems]


def test_a_relative_date_needs_a_calendar_anchor_and_a_side(tmp_path: Path) -> None:
    text = STORY.replace(
        "{relative_to: theft, to_days: -1, as_stated: earlier}",
        "{relative_to: origin, to_days: -1, as_stated: earlier}",
    ).replace(
        "{relative_to: theft, from_days: 1, as_stated: later}",
        "{relative_to: theft, as_stated: later}",
    )
    path = tmp_path / "events.yaml"
    assert _refused(tmp_path, text) == [
        f"{path}:15:11: event 'inquiry': relative date has neither from_days nor to_days; write "
        "from_days: 1 alone for 'later' (on or after), to_days: -1 alone for 'earlier', or both "
        "for a window",
        f"{path}:21:25: event 'scouting': relative date counts from 'origin', whose date is "
        "unknown; count from an event with a calendar date",
    ]


def _build(story: Path):  # type: ignore[no-untyped-def]
    return make_build(story, ner="gazetteer")


def test_exports_say_open_and_unknown(story: Path) -> None:
    b = _build(story)
    md = render(b, "markdown").decode()
    assert "### on or after 20 Oct 2025: An inquiry opens" in md
    assert "- **Date:** on or after 20 Oct 2025 (stated as “later”, relative to the event" in md
    assert md.index("## Date unknown") < md.index("### date unknown: Where the jewels came from")
    assert "### date unknown (after 19 Oct 2025): The thieves change vehicles" in md

    tl = json.loads(render(b, "timelinejs"))
    slides = {s["unique_id"]: s for s in tl["events"]}
    assert "origin" not in slides
    assert (
        "<p><b>Date unknown:</b></p><ul><li>Where the jewels came from</li></ul>"
        in (tl["title"]["text"]["text"])
    )
    assert (slides["inquiry"]["start_date"], slides["inquiry"]["display_date"]) == (
        {"year": 2025, "month": 10, "day": 20},
        "on or after 20 Oct 2025",
    )
    assert "end_date" not in slides["raid"]
    assert slides["raid"]["display_date"] == "date unknown (20 Oct 2025 – 26 Oct 2025)"

    with zipfile.ZipFile(io.BytesIO(render(b, "csv"))) as z:
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(z.read("events.csv").decode()))}
    assert [rows["inquiry"][k] for k in ("date", "earliest", "latest")] == [
        "2025-10-20/..",
        "2025-10-20",
        "",
    ]
    assert [rows["origin"][k] for k in ("date", "date_label", "earliest", "latest")] == [
        "unknown",
        "date unknown",
        "",
        "",
    ]


def test_the_spreadsheet_keeps_open_and_unknown_dates(story: Path, tmp_path: Path) -> None:
    import yaml

    from timeline.sheet import read_sheet

    sheet = tmp_path / "story.csv"
    sheet.write_bytes(render(_build(story), "sheet"))
    back = {e["title"]: e["date"] for e in yaml.safe_load(read_sheet(sheet))["events"]}
    original = read_dataset(story)
    # the template's Time has no zone: the clock comes back, the offset stays in the YAML and RDF
    assert back == {
        e.title: "unknown" if e.when.undated else str(e.when).replace("+02:00", "")
        for e in original.events
    }


def test_rdf_reads_back_and_conforms(story: Path) -> None:
    import pyoxigraph as ox
    import pyshacl
    import rdflib

    from timeline.export.rdf import ntriples
    from timeline.rdfread import read_rdf

    b = _build(story)
    data = ntriples(b)
    g = rdflib.Graph().parse(data=data.decode(), format="nt")
    root = Path(__file__).resolve().parent.parent / "ontologies"
    conforms, _, report = pyshacl.validate(
        g, shacl_graph=rdflib.Graph().parse(root / "shapes.ttl"), inference="none"
    )
    assert conforms, report
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    back = read_rdf(store, "https://example.org/theft/")
    assert [(e.id, e.when.label()) for e in back.dataset.events_by_date()] == [
        (e.id, e.when.label()) for e in b.dataset.events_by_date()
    ]
    # an open side in SPARQL: the last (or first) day xsd:date has, so ranges need no case
    rows = store.query(
        "SELECT ?l WHERE { ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasLatestEndTimeStamp> ?l ;"
        ' <http://purl.org/dc/terms/identifier> "inquiry" }'
    )
    assert [r["l"].value for r in rows] == ["9999-12-31"]


@pytest.mark.browser
def test_the_view_shows_them_on_the_axis(page: Tab, story: Path, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "view.html"
    path.write_bytes(render_view(_build(story)))
    page.open(path)
    page.wait_for("window.timelineView && window.timelineView.ready")
    bars = page.js("document.querySelectorAll('.axis-svg g.ev').length")
    assert bars == 8
    labels = page.js(
        "Array.from(document.querySelectorAll('.axis-svg g.ev title')).map(t => t.textContent)"
    )
    assert "date unknown — Where the jewels came from" in labels
    assert "on or after 20 Oct 2025 — An inquiry opens" in labels
    page.assert_clean()


def test_a_story_with_no_dated_event_gives_the_same_output_every_day(tmp_path: Path) -> None:
    text = STORY[: STORY.index("events:")] + (
        "events:\n  - {id: origin, title: Where the jewels came from, date: unknown, type: other,"
        " summary: Nobody knows., sources: [paper]}\n"
    )
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    b = make_build(path, ner="gazetteer")
    tl = json.loads(render(b, "timelinejs"))
    assert tl["events"] == []
    assert "Focus" not in tl["title"]["text"]["text"]
    assert "<li>Where the jewels came from</li>" in tl["title"]["text"]["text"]
    data = view_data(b)
    assert (data["focus"]["first"], data["events"][0]["earliest"]) == ("1970-01-01", "1970-01-01")


def test_an_unknown_date_is_never_an_anchor_even_through_follows(tmp_path: Path) -> None:
    """The relative date counting from an unknown one is refused at its line, whichever comes
    first in the file, even when the unknown one follows it (no event silently dropped)."""
    head = STORY[: STORY.index("events:")]
    unknown = (
        "  - {id: u, title: U, date: unknown, type: other, summary: s, sources: [paper], "
        "follows: [x]}\n"
    )
    relative = (
        "  - {id: x, title: X, date: {relative_to: u, from_days: 1, to_days: 2, as_stated: "
        "soon after}, type: other, summary: s, sources: [paper]}\n"
    )
    for body in (unknown + relative, relative + unknown):
        problems = _refused(tmp_path, head + "events:\n" + body)
        assert len(problems) == 1
        assert problems[0].endswith(
            "event 'x': relative date counts from 'u', whose date is unknown; count from an "
            "event with a calendar date"
        )


def test_a_source_or_a_relation_needs_a_closed_date(tmp_path: Path) -> None:
    text = STORY.replace("published: 2025-10-20", "published: 2025-10-20/..")
    problems = _refused(tmp_path, text)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "source 'paper': date '2025-10-20/..' is open or unknown; here write a calendar date or "
        "a range (START/END), or leave the field out"
    ]


def test_an_unknown_date_bounded_before_the_year_1000_reads_back(tmp_path: Path) -> None:
    import pyoxigraph as ox

    from timeline.export.rdf import ntriples
    from timeline.rdfread import read_rdf

    text = STORY[: STORY.index("events:")] + (
        "events:\n  - {id: a, title: A, date: '0900-01-05', type: other, summary: s, "
        "sources: [paper]}\n  - {id: b, title: B, date: unknown, type: other, summary: s, "
        "sources: [paper], follows: [a]}\n"
    )
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    b = make_build(path, ner="gazetteer")
    store = ox.Store()
    store.load(ntriples(b), format=ox.RdfFormat.N_TRIPLES)
    back = read_rdf(store, "https://example.org/theft/").dataset.event("b").when
    assert (back, back.label()) == (b.dataset.event("b").when, "date unknown (after 5 Jan 900)")


def test_a_window_end_is_a_calendar_date() -> None:
    from timeline.dates import window_day

    assert window_day("2026-01", last=True) == date(2026, 1, 31)
    for text in ("unknown", "2026-01-03/..", "../2026"):
        with pytest.raises(ValueError, match="is open or unknown; write YYYY"):
            window_day(text)
