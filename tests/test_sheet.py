"""The TimelineJS spreadsheet template, both ways: export, import, round trip, hostile cells."""

from __future__ import annotations

import csv
import io
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from timeline.errors import ExportError, InvalidDataset
from timeline.load import read_dataset
from timeline.models import TYPE_FAMILY, Event, Media
from timeline.pipeline import make_build
from timeline.sheet import (
    COLUMNS,
    defuse,
    import_sheet,
    plain_text,
    read_sheet,
    serialize_sheet,
    undefuse,
)

HERE = Path(__file__).resolve().parent
SHEETS = HERE / "data" / "sheets"
SHIPPED = HERE.parent / "data" / "events.yaml"
MEDIA = SHEETS / "media.yaml"


@pytest.fixture(scope="module")
def shipped_build():
    return make_build(SHIPPED, ner="none")


@pytest.fixture(scope="module")
def media_build():
    return make_build(MEDIA, ner="none")


def rows_of(data: bytes, kind: str) -> list[dict[str, object]]:
    """The sheet's rows as {column: value}, blank cells left out."""
    if kind == "csv":
        table = list(csv.reader(io.StringIO(data.decode(), newline="")))
    else:
        ws = load_workbook(io.BytesIO(data)).worksheets[0]
        table = [list(r) for r in ws.iter_rows(values_only=True)]
    assert tuple(table[0]) == COLUMNS
    return [
        {c: v for c, v in zip(COLUMNS, r, strict=True) if v not in ("", None)} for r in table[1:]
    ]


def through_sheet(e: Event) -> list[Media]:
    """What the template keeps of an event's media: the first item, and (it has no alt column)
    an image's alt is its caption, else the headline."""
    if not e.media:
        return []
    m = e.media[0]
    return [m.model_copy(update={"alt": (m.caption or e.title) if m.is_image else None})]


def round_trip(build, kind: str, folder: Path):
    sheet = folder / f"sheet.{kind}"
    sheet.write_bytes(serialize_sheet(build, kind))
    out = folder / "events.yaml"
    imported = import_sheet(sheet, out)
    assert read_dataset(out) == imported  # what was written validates, and is what was returned
    return imported


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("source", ["shipped", "media"])
def test_round_trip_keeps_every_event(kind, source, shipped_build, media_build, tmp_path):
    build = shipped_build if source == "shipped" else media_build
    if source == "media":  # a local image is read beside the YAML file the import writes
        shutil.copytree(SHEETS / "media", tmp_path / "media")
    imported = round_trip(build, kind, tmp_path)
    before = build.dataset.events_by_date()
    assert len(imported.events) == len(before)
    for old, new in zip(before, imported.events, strict=True):
        assert (str(new.when), new.title, TYPE_FAMILY[new.type], new.type, new.media) == (
            str(old.when),
            old.title,
            TYPE_FAMILY[old.type],
            old.type,
            through_sheet(old),
        )
        assert new.sources == ["sheet"]
    assert imported.dataset.title == build.dataset.dataset.title
    assert imported.dataset.description == build.dataset.dataset.description
    assert [s.id for s in imported.sources] == ["sheet"]


def test_round_trip_fixture_covers_every_precision_and_media(media_build):
    dates = {str(e.when) for e in media_build.dataset.events}
    assert {"1905", "2024-03", "2025-09-01/2025-10-19", "~2026", "~1905/2005"} <= dates
    assert "~2025-10-20/2025-10-26" in dates  # the relative date, resolved
    media = [m for e in media_build.dataset.events for m in e.media]
    assert any(m.url and m.credit and m.caption and m.alt for m in media)
    assert any(m.file for m in media)


def test_export_rows_fill_the_template(media_build):
    rows = rows_of(serialize_sheet(media_build, "csv"), "csv")
    assert rows[0] == {
        "Headline": "A museum and its jewels",
        "Text": "<p>What a sheet keeps of a dataset, &amp; what it cannot &lt;hold&gt;.</p>",
        "Type": "title",
    }
    by_headline = {r["Headline"]: r for r in rows[1:]}
    assert by_headline["The museum opens"] == {
        "Year": "1905",
        "Headline": "The museum opens",
        "Text": "<p>The City Museum opened to the public.</p><p><b>Where:</b> City Museum</p>"
        "<p><b>Sources:</b> Culture desk report</p>",
        "Media": "https://example.org/museum-1905.jpg",
        "Media Credit": "Example Archive",
        "Media Caption": "The museum's front in 1905",
        "Group": "Other",
        "Tag": "other",
    }
    month = by_headline["Renovation works"]
    assert (month["Year"], month["Month"], "Day" in month) == ("2024", "3", False)
    span = by_headline["Crown jewels on show"]
    assert [span.get(c) for c in ("Year", "Month", "Day", "End Year", "End Month", "End Day")] == [
        "2025",
        "9",
        "1",
        "2025",
        "10",
        "19",
    ]
    assert span["Display Date"] == "1 Sep 2025 – 19 Oct 2025"
    assert span["Media"] == "media/crown.png"
    assert by_headline["Police search for the thieves"]["Display Date"] == (
        "~ week of 20 Oct 2025 (stated as “the week after”)"
    )
    trial = by_headline["Trial of the thieves"]
    assert (trial["Display Date"], trial["Group"], trial["Tag"]) == ("~ 2026", "Justice", "trial")
    assert trial["Text"] == (
        "<p>A trial is expected.</p><p><b>Planned</b></p><p><i>Prosecutors named no date.</i></p>"
        "<p><b>Sources:</b> Culture desk report</p>"
    )
    assert "Display Date" not in by_headline["Thieves take the crown jewels"]  # a plain day
    assert not any(r.get("Type") == "era" for r in rows)  # background spans are event rows


def test_csv_bytes_are_utf8_with_newlines(media_build):
    data = serialize_sheet(media_build, "csv")
    assert data.startswith(b"Year,Month,Day,Time,End Year,")
    assert b"\r" not in data
    assert data == serialize_sheet(media_build, "csv")
    assert "–".encode() in data  # UTF-8, no BOM
    assert not data.startswith(b"\xef\xbb\xbf")


def test_xlsx_has_the_template_sheet_with_number_dates(media_build):
    wb = load_workbook(io.BytesIO(serialize_sheet(media_build, "xlsx")))
    ws = wb.worksheets[0]
    assert (ws.title, len(wb.worksheets), ws.freeze_panes) == ("Timeline", 1, "A2")
    assert all(c.font.bold for c in ws[1])
    assert [c.value for c in ws[1]] == list(COLUMNS)
    year = ws.cell(row=3, column=1)
    assert (year.value, year.data_type) == (1905, "n")


def test_xlsx_is_byte_identical_whenever_it_is_made(media_build, monkeypatch):
    first = serialize_sheet(media_build, "xlsx")
    monkeypatch.setattr(time, "time", lambda: 1.9e9)  # the zip entries' clock, years later
    assert serialize_sheet(media_build, "xlsx") == first
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2  # created and modified


def test_window_keeps_the_events_with_a_day_in_it(shipped_build):
    day = date(2026, 1, 13)
    rows = rows_of(serialize_sheet(shipped_build, "csv", day, day), "csv")
    expected = [
        e.title for e in shipped_build.dataset.events_by_date() if e.when.overlaps(day, day)
    ]
    assert [r["Headline"] for r in rows[1:]] == expected
    assert 0 < len(expected) < len(shipped_build.dataset.events)


def test_unknown_kind_is_an_export_error(media_build):
    with pytest.raises(ExportError, match="a sheet is csv or xlsx, not 'ods'"):
        serialize_sheet(media_build, "ods")


# --- hostile text ------------------------------------------------------------------------------

HOSTILE = """\
dataset:
  title: "@SUM(1+1)"
sources:
  - id: s
    title: "+cmd"
events:
  - id: e
    title: '=HYPERLINK("http://evil")'
    date: "2026-01-03"
    type: other
    summary: "<script>alert(1)</script> -1 & more"
    media:
      - url: https://example.org/a.jpg
        credit: "-2+3"
        caption: "@here"
        alt: x
    sources: [s]
"""


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_hostile_cells_are_neutralised_and_come_back_as_text(kind, tmp_path):
    source = tmp_path / "hostile.yaml"
    source.write_text(HOSTILE)
    build = make_build(source, ner="none")
    data = serialize_sheet(build, kind)
    title, event = rows_of(data, kind)
    assert title["Headline"] == "'@SUM(1+1)"
    assert event["Headline"] == '\'=HYPERLINK("http://evil")'
    assert event["Media Credit"] == "'-2+3"
    assert event["Media Caption"] == "'@here"
    assert event["Text"].startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt; -1 &amp; more</p>")
    if kind == "csv":
        assert "<script" not in data.decode()
    assert (event["Year"], event["Month"]) == ((2026, 1) if kind == "xlsx" else ("2026", "1"))
    if kind == "xlsx":  # never a formula cell
        ws = load_workbook(io.BytesIO(data)).worksheets[0]
        assert {c.data_type for row in ws.iter_rows() for c in row if c.value} <= {"s", "n"}
    imported = round_trip(build, kind, tmp_path)
    (e,) = imported.events
    assert e.title == '=HYPERLINK("http://evil")'
    assert e.summary.startswith("<script>alert(1)</script> -1 & more\n\n")
    assert (e.media[0].credit, e.media[0].caption) == ("-2+3", "@here")
    assert imported.dataset.title == "@SUM(1+1)"


@pytest.mark.parametrize(
    "text",
    ["=1", "+1", "-1", "@x", "\tx", "\rx", "'=1", "''+1", "'plain", "plain", "", "a=b"],
)
def test_defuse_is_undone_exactly(text):
    assert undefuse(str(defuse(text))) == text
    assert not str(defuse(text)).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_negative_numbers_stay_numbers():
    assert defuse(-44) == -44
    assert defuse("-44") == "'-44"


def test_control_characters_do_not_break_the_workbook(tmp_path):
    source = tmp_path / "control.yaml"
    source.write_text(HOSTILE.replace("'=HYPERLINK(\"http://evil\")'", '"bell\\a here"'))
    build = make_build(source, ner="none")
    _, event = rows_of(serialize_sheet(build, "xlsx"), "xlsx")
    assert event["Headline"] == "bell\ufffd here"


# --- import ------------------------------------------------------------------------------------

EXPECTED_COMMENT = (
    "# Imported by timeline import from the TimelineJS sheet hand-filled.csv: 4 events.\n"
    "# Not imported, the data model has no place for them: Media (row 2); Background (row 2); "
    "Group (row 4); Media Thumbnail (row 4).\n"
)


def test_hand_filled_sheet_imports_to_the_expected_yaml(tmp_path):
    text = read_sheet(SHEETS / "hand-filled.csv")
    assert text.startswith(EXPECTED_COMMENT)
    expected = yaml.safe_load((SHEETS / "hand-filled.expected.yaml").read_text())
    assert yaml.safe_load(text) == expected
    out = tmp_path / "events.yaml"
    dataset = import_sheet(SHEETS / "hand-filled.csv", out)
    assert out.read_text() == text
    assert [e.id for e in dataset.events] == [e["id"] for e in expected["events"]]


def test_semicolons_and_an_xlsx_copy_of_the_sheet_import_the_same(tmp_path):
    rows = list(csv.reader(io.StringIO((SHEETS / "hand-filled.csv").read_text("utf-8-sig"))))
    semicolons = tmp_path / "hand-filled.csv"
    with semicolons.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    wb = Workbook()
    for row in rows:
        wb.active.append([int(v) if v.isdigit() else (v or None) for v in row])
    workbook = tmp_path / "hand-filled.xlsx"
    wb.save(workbook)
    expected = yaml.safe_load((SHEETS / "hand-filled.expected.yaml").read_text())
    assert yaml.safe_load(read_sheet(semicolons)) == expected
    from_xlsx = yaml.safe_load(read_sheet(workbook))
    from_xlsx["sources"][0]["note"] = from_xlsx["sources"][0]["note"].replace(".xlsx", ".csv")
    assert from_xlsx == expected


def test_typed_workbook_cells_read_as_the_sheet_shows_them(tmp_path):
    from datetime import time as clock

    wb = Workbook()
    wb.active.append(["Year", "Month", "Day", "Time", "Headline", "Text", "Tag"])
    wb.active.append([2026.0, 1, 3.0, clock(14, 30), "Talks open", None, "diplomacy"])
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    (event,) = yaml.safe_load(read_sheet(path))["events"]
    assert event == {
        "id": "talks-open",
        "title": "Talks open",
        "date": "2026-01-03T14:30",
        "type": "diplomacy",
        "summary": "Talks open",
        "sources": ["sheet"],
    }


def test_a_sheet_without_title_row_takes_its_name_from_the_file(tmp_path):
    path = tmp_path / "talks.csv"
    path.write_text("Year,Headline\n2026,Talks open\n2026,Talks open\n")
    data = yaml.safe_load(read_sheet(path))
    assert data["dataset"] == {"title": "talks"}
    assert data["sources"][0]["title"] == "talks.csv"
    assert [e["id"] for e in data["events"]] == ["talks-open", "talks-open-2"]


BAD = [
    "row 3, column Year: 'twenty' is not a year; write a whole number like 2026",
    "row 4, column Day: '30' is not a day of February 2026 (it has 28 days)",
    "row 5, column End Year: the end (2026-01-05) is before the start (2026-01-10); swap them",
    "row 6, column End Month: a month needs a year; fill in End Year",
    "row 7, column Month: '13' is not a month; write 1 to 12",
    "row 8, column Headline: an event needs a headline",
    "row 9, column Type: 'slide' is not a row type; leave it blank for an event, or write "
    "title or era",
    "row 10, column Media: 'javascript:alert(1)' is not a web address; write an http:// or "
    "https:// URL (or the path of an image file beside the YAML file)",
    "row 11, column Year: year -44 is outside the years a dataset holds (1 to 9999); dates "
    "before the common era cannot be written",
]


def test_bad_sheet_reports_every_problem_and_writes_nothing(tmp_path):
    sheet = tmp_path / "sheet.csv"
    shutil.copy(SHEETS / "bad.csv", sheet)
    out = tmp_path / "events.yaml"
    with pytest.raises(InvalidDataset) as caught:
        import_sheet(sheet, out)
    assert str(caught.value).splitlines() == [f"{sheet}: {line}" for line in BAD]
    assert not out.exists()
    out.write_bytes(b"kept: true\n")
    with pytest.raises(InvalidDataset):
        import_sheet(sheet, out)
    assert out.read_bytes() == b"kept: true\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.yaml", "sheet.csv"]


def test_header_problems_list_the_template_columns(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Year,Month,Hedline,Month,Colour,\n2026,1,x,1,red,oops\n2026,,,,,,late\n")
    with pytest.raises(InvalidDataset) as caught:
        read_sheet(sheet)
    columns = ", ".join(COLUMNS)
    assert str(caught.value).splitlines() == [
        f"{sheet}: row 1: no Headline column; the template's columns are {columns}",
        f"{sheet}: row 1: unknown column 'Hedline' (did you mean 'Headline'?); the template's "
        f"columns are {columns}",
        f"{sheet}: row 1: column 4 is Month again (column 2); keep one",
        f"{sheet}: row 1: unknown column 'Colour'; the template's columns are {columns}",
        f"{sheet}: row 1: column 6 has values but no name; name it after the template or clear it",
        f"{sheet}: row 1: column 7 has values but no name; name it after the template or clear it",
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("s.csv", b"Year,Headline\n2026,Caf\xe9\n", ":2:1: file is not UTF-8 text (byte 0xe9)"),
        ("s.csv", b"\n \n,,\n", ": row 1: the sheet is empty"),
        ("s.xlsx", b"Year,Headline\n", ":1:1: not an .xlsx workbook (not a zip file)"),
        ("s.ods", b"", ":1:1: a sheet is a .csv or an .xlsx file"),
    ],
)
def test_unreadable_sheets_say_why(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InvalidDataset) as caught:
        read_sheet(path)
    assert str(caught.value).startswith(f"{path}{message}")


def test_missing_sheet(tmp_path):
    with pytest.raises(InvalidDataset, match="no such file"):
        read_sheet(tmp_path / "none.csv")


def test_plain_text_from_sheet_html():
    assert plain_text("<p>A <b>bold</b> move<br>at dawn</p><p>Then</p>") == (
        "A bold move\nat dawn\n\nThen"
    )
    assert plain_text("a < b &amp; x<y, AT&T") == "a < b & x<y, AT&T"
    assert plain_text("<script>alert(1)</script><style>p{}</style>kept") == "kept"
    assert plain_text("<ul><li>one</li><li>two</li></ul>") == "one\n\ntwo"
