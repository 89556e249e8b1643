"""Knight Lab's TimelineJS spreadsheet template, both ways: a dataset as the sheet people fill in
(CSV or XLSX), and such a sheet read back as dataset YAML.

The template's columns, in order: Year, Month, Day, Time, End Year, End Month, End Day, End
Time, Display Date, Headline, Text, Media, Media Credit, Media Caption, Media Thumbnail, Type,
Group, Background; newer copies add Tag. Type is `title` (the slide before the others), `era` (a
span drawn behind the slides) or blank (an event).

**Export** (`serialize_sheet`) is a data interchange, not a framed story: a title row, then every
event in date order as an ordinary row, background spans included, so that an import gives every
event back. No era rows are written (an era would repeat an event, and TimelineJS would stretch
its scale to it); the JSON export (`timeline.export.timelinejs`) is the one that frames the
focus period. Group is the event's type family; Tag is the exact event type, so that an import
restores the type. Tag is safe to add: TimelineJS reads Tag only as a fallback for an empty Group
(old sheets), and Group is always filled here. Dates keep their precision (a year-only date
fills only Year) and ranges fill End Year/Month/Day; Display Date shows the label of an
approximate date or a range, and a relative date's words as stated. Media is the event's first
media item (one per row; the template has no alt text column). TimelineJS renders
Headline, Text, Display Date, Media Credit and Media Caption as HTML, so curated text is escaped.
A cell that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return,
OWASP's list) is prefixed with an apostrophe, in XLSX too (ASVS 1.2.10: the cell stays inert
if the workbook is saved again as CSV); Year, Month and Day are numbers, so negative numbers
never need it.

**Import** (`read_sheet`, `import_sheet`) turns a filled-in sheet into dataset YAML, validated
by the loader before anything is written. Each row is an event with the sheet as its source
(`id: sheet`: every event needs one); the title row gives the dataset's title and description.
What the model has no place for is named in a comment at the top of the YAML (Media Thumbnail,
Background, a title row's media, a Group that names no event type) rather than refused, and the
template's other choices are mapped as follows:

- Type: an era row becomes an event too (summary "Era: HEADLINE", then its text), so nothing in
  the sheet is lost. The event type is Tag when it names one, else Group when that names one
  (``Sanctions``), else ``other``: a family such as "Justice" spans several types, and picking
  one would invent a fact.
- Dates: Year, Month and Day keep their precision; End Year makes a range. A Display Date
  that starts with "on or after" or "on or before" makes the date open-ended from Year/Month/Day;
  "date unknown" makes it unknown (Year may then be blank). A Display Date that
  starts with ``~``, ``c.``, ``ca.``, ``circa``, ``about`` or ``approx`` marks the date
  approximate; a Display Date other than the date's own label is kept in `date_note` as "as
  stated: ...". Time and End Time (``9:30``, ``21:30``, ``9:30 PM``) give the day its time of
  day; the template has no time zone, so an export writes the clock and leaves the UTC offset to
  the RDF.
- Text: HTML becomes plain text (paragraphs and ``<br>`` become line breaks; scripts and styles
  are dropped); an empty Text gives the headline as the summary.
- Media: an http(s) address, or a local image path relative to the YAML file. The template has
  no alt text column, so an image's `alt` (the model requires one) is its caption, else the
  headline; a Media Credit or Caption in HTML becomes plain text.

Every problem is reported at once, nothing written, each at the row and column a spreadsheet
shows: ``sheet.csv: row 7, column Month: '13' is not a month; write 1 to 12``.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from timeline.dates import PartialDate, shown
from timeline.errors import ExportError, InvalidDataset, Problem
from timeline.focus import frame
from timeline.models import BUILTIN_TYPES, Dataset, Event, Media
from timeline.names import did_you_mean, fold

if TYPE_CHECKING:
    from timeline.graph import Build

COLUMNS = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
    "Tag",
)
"""The template's columns in its order (Tag last, as newer copies have it)."""
REQUIRED = ("Year", "Headline")
"""The columns an import cannot do without; the others may be missing from a hand-made sheet."""
_OPEN = ("on or after", "on or before", "date unknown")
"""How Display Date begins for a date that is open or unknown."""
SHEET_NAME = "Timeline"
"""The XLSX sheet's name (TimelineJS reads the first sheet whatever its name)."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet run a cell as a formula (OWASP, CSV injection)."""
FIXED_TIME = datetime(2000, 1, 1)
"""The workbook's created and modified time: the same data gives the same bytes."""
MAX_UNPACKED = 64 * 2**20
"""The most an XLSX workbook may unpack to: a zip bomb is refused before it is parsed."""
MAX_TEXT = 20_000
"""The longest text a model field holds (`timeline.models.Text`)."""
MAX_SLUG = 80
EVENT_TYPES = BUILTIN_TYPES
_APPROXIMATE = re.compile(r"(~|c\.|ca\.|circa\b|about\b|approx)", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?[0-9]+")


# --- export ------------------------------------------------------------------------------------


def serialize_sheet(
    build: Build, kind: str = "csv", first: date | None = None, last: date | None = None
) -> bytes:
    """The dataset as Knight Lab's TimelineJS sheet: ``kind`` is "csv" or "xlsx";
    `first`/`last` keep only the events with a day in that window (as the JSON export does).

    Example: serialize_sheet(make_build("data/events.yaml"), "xlsx")
    """
    rows = sheet_rows(build.dataset, first, last)
    if kind == "csv":
        return _csv_bytes(rows)
    if kind == "xlsx":
        return _xlsx_bytes(rows)
    raise ExportError(f"a sheet is csv or xlsx, not '{shown(kind)}'")


def sheet_rows(
    ds: Dataset, first: date | None = None, last: date | None = None
) -> list[list[int | str]]:
    """The sheet's rows under its header (`COLUMNS`): the title row, then one row per event."""
    window = frame(ds.events, first, last)
    rows = [_title_row(ds)]
    rows += [
        _event_row(ds, e) for e in ds.events_by_date() if not window.chosen or window.inside(e)
    ]
    return [[cells.get(c, "") for c in COLUMNS] for cells in rows]


def _html(text: str) -> str:
    """Text as TimelineJS shows it (as HTML); quotes need no escaping outside attributes."""
    return escape(text, quote=False)


def _title_row(ds: Dataset) -> dict[str, int | str]:
    info = ds.dataset
    text = f"<p>{_html(info.description)}</p>" if info.description else ""
    return {"Headline": _html(info.title), "Text": text, "Type": "title"}


def _date_cells(iso: str, prefix: str = "") -> dict[str, int | str]:
    parts = [int(p) for p in iso.split("-")]
    return {f"{prefix}{name}": n for name, n in zip(("Year", "Month", "Day"), parts, strict=False)}


_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", re.I)


def _clock(text: str) -> str | None:
    """A sheet's Time ("9:30", "21:30:00", "9:30 PM") as HH:MM[:SS]; None if it is none."""
    m = _CLOCK.fullmatch(text.strip())
    if not m:
        return None
    hour, minute, second, half = int(m[1]), int(m[2]), m[3], (m[4] or "").lower()
    if half.startswith("p") and hour < 12:
        hour += 12
    elif half.startswith("a") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (second and int(second) > 59):
        return None
    return f"{hour:02d}:{minute:02d}" + (f":{second}" if second and second != "00" else "")


def display_date(when: PartialDate) -> str:
    """What Display Date says: the label of an approximate date or a range, with a relative
    date's words as stated; nothing for a plain date (TimelineJS shows it at its precision)."""
    if when.as_stated:
        return f"{when.label()} (stated as “{when.as_stated}”)"
    return when.label() if when.approximate or when.is_range or not when.known else ""


def _event_row(ds: Dataset, e: Event) -> dict[str, int | str]:
    when = e.when
    # an open or unknown date: the day that bounds it, if any; Display Date says which
    cells: dict[str, int | str] = _date_cells(when.start) if when.start else {}
    if when.end and when.known:
        cells.update(_date_cells(when.end, "End "))
    # the template's Time has no zone: the clock as the story gave it (the offset stays in RDF)
    if when.time:
        cells["Time"] = when.time[:5]
    if when.end_time:
        cells["End Time"] = when.end_time[:5]
    cells["Display Date"] = _html(display_date(when))
    cells["Headline"] = _html(e.title)
    cells["Text"] = _text(ds, e)
    if e.media:
        m = e.media[0]
        cells["Media"] = m.location
        cells["Media Credit"] = _html(m.credit or "")
        cells["Media Caption"] = _html(m.caption or "")
    cells["Group"] = ds.family(e.type)
    cells["Tag"] = e.type
    return cells


def _text(ds: Dataset, e: Event) -> str:
    """The slide text: the summary, then the status, who, where, the date note and the sources."""
    html = [f"<p>{_html(e.summary)}</p>"]
    if e.status != "occurred":
        html.append(f"<p><b>{e.status.capitalize()}</b></p>")
    who = [_html(ds.participant_text(p)) for p in e.participants]
    if who:
        html.append(f"<p><b>Who:</b> {', '.join(who)}</p>")
    if e.places:
        html.append(f"<p><b>Where:</b> {', '.join(_html(ds.actor(p).name) for p in e.places)}</p>")
    if e.date_note:
        html.append(f"<p><i>{_html(e.date_note)}</i></p>")
    sources = "; ".join(_html(ds.source(s).title) for s in e.sources)
    html.append(f"<p><b>Sources:</b> {sources}</p>")
    return "".join(html)


def defuse(value: int | str) -> int | str:
    """A cell a spreadsheet cannot run: text that would start a formula gets an apostrophe
    (text that starts with apostrophes before one too, so `undefuse` gives it back exactly)."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_START):
        return "'" + value
    return value


def undefuse(text: str) -> str:
    """The text `defuse` was given."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def _csv_bytes(rows: list[list[int | str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([defuse(v) for v in row] for row in rows)
    return buffer.getvalue().encode()


def _xlsx_bytes(rows: list[list[int | str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    from timeline.export.csv import to_zip

    def cell(value: int | str) -> int | str | None:
        if value == "":
            return None
        if isinstance(value, str):
            # XML cannot hold most control characters; openpyxl refuses them
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        return defuse(value)

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append(COLUMNS)
    for header in ws[1]:
        header.font = Font(bold=True)
    for row in rows:
        ws.append([cell(v) for v in row])
    ws.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    # ExcelWriter, not Workbook.save, which stamps the modified time with the clock
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(raw) as archive:
        # the same parts again, with fixed zip timestamps
        return to_zip({name: archive.read(name) for name in archive.namelist()})


# --- import ------------------------------------------------------------------------------------


def read_sheet(path: Path) -> str:
    """A filled-in TimelineJS sheet (.csv or .xlsx) as validated dataset YAML text; raises
    `InvalidDataset` with every problem. Local media paths are relative to the sheet's folder.

    Example: read_sheet(Path("sheet.csv")).startswith("# Imported by timeline import")
    """
    path = Path(path)
    return _convert(path, path.with_suffix(".yaml"))[0]


def import_sheet(path: Path, out: Path) -> Dataset:
    """Convert a sheet (`read_sheet`) and write the YAML to `out` atomically; on any problem
    nothing is written. Returns the dataset as the loader reads it."""
    from timeline.atomic import atomic_write

    text, dataset = _convert(Path(path), Path(out))
    atomic_write(out, text)
    return dataset


def _convert(path: Path, yaml_path: Path) -> tuple[str, Dataset]:
    from timeline.load import read_files

    rows = _read_rows(path)
    reader = _SheetReader(str(path), yaml_path)
    data = reader.convert(rows, path)
    if reader.problems:
        raise InvalidDataset(reader.problems)
    text = reader.comment(path, len(data["events"])) + _dump(data)
    return text, read_files([(str(yaml_path), text.encode())])


# Reading: a sheet file -> (row number as a spreadsheet shows it, cells as text)

Rows = list[tuple[int, list[str]]]


def _read_rows(path: Path) -> Rows:
    from timeline.load import MAX_BYTES

    def fail(message: str) -> InvalidDataset:
        return InvalidDataset([Problem(str(path), 1, 1, message)])

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise fail(
            "a sheet is a .csv or an .xlsx file: download the TimelineJS template as "
            "comma-separated values or as Microsoft Excel"
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("is a folder, not a file") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise fail(f"file is larger than {MAX_BYTES // 2**20} MiB")
    return _csv_rows(path, data) if suffix == ".csv" else _xlsx_rows(path, data)


def _csv_rows(path: Path, data: bytes) -> Rows:
    def fail(line: int, message: str) -> InvalidDataset:
        return InvalidDataset([Problem(str(path), line, 1, message)])

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(1, "file is UTF-16 text; save the sheet as CSV UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise fail(
            line, f"file is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as CSV UTF-8"
        ) from None
    if "\x00" in text:
        raise fail(text.count("\n", 0, text.index("\x00")) + 1, "file contains a NUL byte")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: Rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, cells))
    except csv.Error as exc:
        number = len(rows) + 1
        raise InvalidDataset(
            [Problem(str(path), number, 0, f"not readable as CSV: {exc}", place=f"row {number}")]
        ) from None
    return rows


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets set to a decimal comma save this) or tab: the one that
    splits the header into the most template columns (csv.Sniffer guesses from any line)."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def known(delimiter: str) -> int:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        return sum(_column_key(c) in _BY_KEY for c in cells)

    return max((",", ";", "\t"), key=known)  # max keeps the first of equals: the comma


def _xlsx_rows(path: Path, data: bytes) -> Rows:
    import warnings

    def fail(message: str) -> InvalidDataset:
        return InvalidDataset([Problem(str(path), 1, 1, message)])

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise fail(
            "not an .xlsx workbook (not a zip file); save the sheet as .xlsx or .csv"
        ) from None
    if unpacked > MAX_UNPACKED:
        raise fail(
            f"the workbook unpacks to {unpacked / 2**20:.0f} MiB, more than "
            f"{MAX_UNPACKED // 2**20} MiB; save the sheet as .csv"
        )
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they carry no data
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign workbook
        raise fail(
            f"not a readable .xlsx workbook ({type(exc).__name__}); save the sheet as .xlsx or .csv"
        ) from None
    try:
        if not wb.worksheets:
            raise fail("the workbook has no sheet")
        ws = wb.worksheets[0]
        return [
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
    finally:
        wb.close()


def _cell_text(value: Any) -> str:
    """A workbook cell as the text it shows: 1 not 1.0, a time as 14:30."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, time):
        return value.isoformat("minutes" if value.second == 0 else "seconds")
    if isinstance(value, date | timedelta):
        return str(value)
    return str(value)


# Converting: rows -> dataset as plain values


def _column_key(name: str) -> str:
    """A header as compared: case, spaces around and inside ignored ("end year", "EndYear")."""
    return "".join(name.split()).lower()


_BY_KEY = {_column_key(c): c for c in COLUMNS}


class _SheetReader:
    """Turns the rows of one sheet into dataset values, collecting every problem."""

    def __init__(self, file: str, yaml_path: Path) -> None:
        self.file = file
        self.yaml_path = yaml_path
        self.problems: list[Problem] = []
        self.ignored: dict[str, list[int]] = {}
        self.positions: dict[str, int] = {}  # column name -> its 1-based position in the sheet

    def fail(self, row: int, column: str | None, message: str, position: int = 0) -> None:
        """A problem at a cell (`column`) or a row; `position` orders a row's problems."""
        place = f"row {row}" if column is None else f"row {row}, column {column}"
        position = position or (self.positions.get(column, 0) if column else 0)
        self.problems.append(Problem(self.file, row, position, message, place=place))

    def ignore(self, column: str, row: int) -> None:
        self.ignored.setdefault(column, []).append(row)

    def convert(self, rows: Rows, path: Path) -> dict[str, Any]:
        filled = [(n, [undefuse(c.strip()) for c in cells]) for n, cells in rows if _filled(cells)]
        if not filled:
            self.fail(1, None, "the sheet is empty; fill in the TimelineJS template's columns")
            return {}
        (header_row, header), body = filled[0], filled[1:]
        columns = self._header(header_row, header, body)
        if self.problems:  # the rows cannot be read right until the header is
            return {}
        info: dict[str, Any] = {"title": path.stem}
        events: list[dict[str, Any]] = []
        ids: set[str] = set()
        title_row = 0
        for number, values in body:
            cells = {name: values[i] if i < len(values) else "" for i, name in columns.items()}
            for name in COLUMNS:
                cells.setdefault(name, "")
            kind = cells["Type"].lower()
            if kind == "title":
                if title_row:
                    self.fail(
                        number,
                        "Type",
                        f"a second title row (the title is row {title_row}); leave Type blank "
                        "for an event",
                    )
                    continue
                title_row = number
                info = self._title(number, cells, path)
            elif kind in ("", "era"):
                event = self._event(number, cells, era=kind == "era")
                if event is not None:
                    event["id"] = _unique(event["id"], ids)
                    events.append(event)
            else:
                hint = did_you_mean(kind, ["title", "era"], n=1)
                self.fail(
                    number,
                    "Type",
                    f"'{shown(cells['Type'])}' is not a row type{hint}; leave it blank for an "
                    "event, or write title or era",
                )
        source: dict[str, Any] = {
            "id": "sheet",
            "title": info["title"] if title_row else path.name,
            "note": f"The TimelineJS sheet {path.name}, imported by timeline import.",
        }
        return {"dataset": info, "sources": [source], "events": events}

    def _header(self, number: int, header: list[str], body: Rows) -> dict[int, str]:
        """Column position -> template column name; unknown and missing columns are problems."""
        columns: dict[int, str] = {}
        width = max(len(values) for _, values in [(number, header), *body])
        for i, raw in enumerate(header + [""] * (width - len(header))):
            if not raw:
                if any(i < len(values) and values[i] for _, values in body):
                    self.fail(
                        number,
                        None,
                        f"column {i + 1} has values but no name; name it after the template "
                        "or clear it",
                        i + 1,
                    )
                continue
            name = _BY_KEY.get(_column_key(raw))
            if name is None:
                hint = did_you_mean(raw, COLUMNS, n=1)
                self.fail(
                    number,
                    None,
                    f"unknown column '{shown(raw)}'{hint}; the template's columns are "
                    f"{', '.join(COLUMNS)}",
                    i + 1,
                )
            elif name in self.positions:
                self.fail(
                    number,
                    None,
                    f"column {i + 1} is {name} again (column {self.positions[name]}); keep one",
                    i + 1,
                )
            else:
                columns[i] = name
                self.positions[name] = i + 1
        for name in REQUIRED:
            if name not in self.positions:
                self.fail(
                    number,
                    None,
                    f"no {name} column; the template's columns are {', '.join(COLUMNS)}",
                )
        return columns

    def _title(self, number: int, cells: dict[str, str], path: Path) -> dict[str, Any]:
        info: dict[str, Any] = {"title": self._line(number, "Headline", cells) or path.stem}
        description = self._plain(number, "Text", cells)
        if description:
            info["description"] = description
        for name in COLUMNS:
            if cells[name] and name not in ("Headline", "Text", "Type"):
                self.ignore(name, number)
        return info

    def _event(self, number: int, cells: dict[str, str], era: bool) -> dict[str, Any] | None:
        what = "an era" if era else "an event"
        title = self._line(number, "Headline", cells)
        if not title:
            self.fail(number, "Headline", f"{what} needs a headline")
        when = self._when(number, cells, what)
        summary = self._plain(number, "Text", cells)
        media = self._media(number, cells, title)
        event_type = self._type(number, cells)
        for name in ("Media Thumbnail", "Background"):
            if cells[name]:
                self.ignore(name, number)
        if not title or when is None:
            return None
        if era:
            summary = f"Era: {title}" + (f"\n\n{summary}" if summary else "")
        event: dict[str, Any] = {"id": slug(title), "title": title, "date": _Quoted(when[0])}
        if when[1]:
            event["date_note"] = when[1]
        event["type"] = event_type
        event["summary"] = summary or title
        if media is not None:
            event["media"] = [media]
        event["sources"] = ["sheet"]
        return event

    def _type(self, number: int, cells: dict[str, str]) -> str:
        for name in ("Tag", "Group"):
            if fold(cells[name]) in EVENT_TYPES:
                return fold(cells[name])
        if cells["Group"]:
            self.ignore("Group", number)
        return "other"

    # the date

    def _when(self, number: int, cells: dict[str, str], what: str) -> tuple[str, str] | None:
        """(the date as the dataset writes it, its date note), or None after a problem."""
        start = self._point(number, cells, "")
        end = self._point(number, cells, "End ")
        display = self._line(number, "Display Date", cells)
        side = next((w for w in _OPEN if display.lower().startswith(w)), None)
        if side == "date unknown":  # any day given is a bound the follows/part_of links give
            return "unknown", ""
        if start == "":
            self.fail(
                number, "Year", f"{what} needs a date; fill in Year (and Month and Day if known)"
            )
        if not start or end is None:
            return None
        if end and PartialDate.parse(end).latest < PartialDate.parse(start).earliest:
            self.fail(
                number,
                "End Year",
                f"the end ({end}) is before the start ({start}); swap them",
            )
            return None
        if side and not end:
            clock = _clock(cells["Time"]) if cells["Time"] else ""
            day = start + (f"T{clock}" if clock and start.count("-") == 2 else "")
            text = f"{day}/.." if side == "on or after" else f"../{day}"
            label = PartialDate.parse(text).label()
            return text, "" if display == label else f"as stated: {display}"
        approximate = bool(_APPROXIMATE.match(display))
        clocks = []
        for name, day in (("Time", start), ("End Time", end or start)):
            clock = _clock(cells[name]) if cells[name] else ""
            if clock is None:
                self.fail(number, name, f"'{shown(cells[name])}' is not a time; write HH:MM")
                return None
            if clock and day.count("-") != 2:
                self.fail(number, name, "a time needs a day; fill in Day (and Month)")
                return None
            clocks.append(f"T{clock}" if clock else "")
        first = start + clocks[0]
        last = (end or start) + clocks[1] if (end and end != start) or clocks[1] else ""
        text = ("~" if approximate else "") + first + (f"/{last}" if last else "")
        notes = []
        if display and display != PartialDate.parse(text).label():
            notes.append(f"as stated: {display}")
        return text, "; ".join(notes)

    def _point(self, number: int, cells: dict[str, str], prefix: str) -> str | None:
        """One end of the date as an ISO prefix, "" when blank, None after a problem."""
        year, month, day = (cells[f"{prefix}{n}"] for n in ("Year", "Month", "Day"))
        y, m, d = f"{prefix}Year", f"{prefix}Month", f"{prefix}Day"
        if not year:
            for name, value, what in ((m, month, "a month"), (d, day, "a day")):
                if value:
                    self.fail(number, name, f"{what} needs a year; fill in {y}")
                    return None
            return ""
        ok = True
        n_year = _integer(year)
        if n_year is None:
            self.fail(number, y, f"'{shown(year)}' is not a year; write a whole number like 2026")
            ok = False
        elif not 1 <= n_year <= 9999:
            self.fail(
                number,
                y,
                f"year {n_year} is outside the years a dataset holds (1 to 9999); dates before "
                "the common era cannot be written",
            )
            ok = False
        n_month = _integer(month) if month else None
        if month and (n_month is None or not 1 <= n_month <= 12):
            self.fail(number, m, f"'{shown(month)}' is not a month; write 1 to 12")
            ok = False
        if day and not month:
            self.fail(number, d, f"a day needs a month; fill in {m}")
            return None
        n_day = _integer(day) if day else None
        if day and (n_day is None or not 1 <= n_day <= 31):
            self.fail(number, d, f"'{shown(day)}' is not a day; write 1 to 31")
            ok = False
        if not ok or n_year is None:
            return None
        if n_month is None:
            return f"{n_year:04d}"
        if n_day is None:
            return f"{n_year:04d}-{n_month:02d}"
        last = calendar.monthrange(n_year, n_month)[1]
        if n_day > last:
            self.fail(
                number,
                d,
                f"'{shown(day)}' is not a day of {calendar.month_name[n_month]} {n_year} "
                f"(it has {last} days)",
            )
            return None
        return f"{n_year:04d}-{n_month:02d}-{n_day:02d}"

    # text and media

    def _plain(self, number: int, column: str, cells: dict[str, str]) -> str:
        text = plain_text(cells[column])
        if len(text) > MAX_TEXT:
            self.fail(
                number, column, f"the text is {len(text)} characters long, more than {MAX_TEXT}"
            )
            return ""
        return text

    def _line(self, number: int, column: str, cells: dict[str, str]) -> str:
        return " ".join(self._plain(number, column, cells).split())

    def _media(self, number: int, cells: dict[str, str], title: str) -> dict[str, str] | None:
        where = cells["Media"]
        if not where:
            return None
        media: dict[str, str] = {}
        if re.match(r"https?://\S+$", where):
            media["url"] = where
        elif re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", where) or not _local_image(where):
            self.fail(
                number,
                "Media",
                f"'{shown(where)}' is not a web address; write an http:// or https:// URL "
                "(or the path of an image file beside the YAML file)",
            )
            return None
        elif not (self.yaml_path.parent / where).is_file():
            self.fail(
                number,
                "Media",
                f"image file '{shown(where)}' is not there (looked for "
                f"{self.yaml_path.parent / where}); copy it beside the YAML file or give a URL",
            )
            return None
        else:
            media["file"] = where
        credit = self._line(number, "Media Credit", cells)
        caption = self._line(number, "Media Caption", cells)
        if credit:
            media["credit"] = credit
        if caption:
            media["caption"] = caption
        if Media.model_construct(url=media.get("url"), file=media.get("file")).is_image:
            media["alt"] = caption or title
        return media

    def comment(self, path: Path, events: int) -> str:
        """The YAML's opening comment: where it comes from and what it leaves out."""
        lines = [
            f"# Imported by timeline import from the TimelineJS sheet {shown(path.name)}: "
            f"{events} event{'s' if events != 1 else ''}."
        ]
        if self.ignored:
            left = "; ".join(
                f"{name} (row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))})"
                for name, rows in sorted(self.ignored.items(), key=lambda kv: kv[1][0])
            )
            lines.append(f"# Not imported, the data model has no place for them: {left}.")
        return "\n".join(lines) + "\n"


def _filled(cells: list[str]) -> bool:
    return any(c.strip() for c in cells)


def _integer(text: str) -> int | None:
    # TimelineJS reads "2,026" and "2 026" as 2026
    digits = re.sub(r"[\s,]", "", text)
    return int(digits) if _INTEGER.fullmatch(digits) else None


def _local_image(where: str) -> bool:
    parts = where.replace("\\", "/").split("/")
    if where.startswith(("/", "\\")) or ".." in parts:
        return False
    return Media.model_construct(file=where, url=None).is_image


def slug(title: str) -> str:
    """A stable id from a headline: 'Maduro captured!' -> 'maduro-captured'."""
    from timeline.load import slugify

    return slugify(title)[:MAX_SLUG].rstrip("-")


def _unique(candidate: str, taken: set[str]) -> str:
    """`candidate`, or `candidate-2`, `-3`, ... when taken (in row order)."""
    found, n = candidate, 1
    while found in taken:
        n += 1
        found = f"{candidate}-{n}"
    taken.add(found)
    return found


class _PlainText(HTMLParser):
    BLOCKS = frozenset(
        "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 "
        "h6 header hr li main nav ol p pre section table tr ul".split()
    )
    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"[^\S\n]+", " ", data))


def plain_text(html: str) -> str:
    """HTML as plain text: tags gone, entities decoded, paragraphs and ``<br>`` as line breaks.

    Example: plain_text("<p>A <b>bold</b> move<br>at dawn</p>") == "A bold move\\nat dawn"
    """
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Writing the YAML


class _Dumper(yaml.SafeDumper):
    pass


class _Quoted(str):
    """Text written in double quotes, as docs/data-format.md writes dates: "2026-01"."""


def _quoted(dumper: yaml.SafeDumper, value: _Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # text of several lines reads best as a block; short lists of ids on one line
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flow = all(isinstance(v, str) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _string)
_Dumper.add_representer(_Quoted, _quoted)
_Dumper.add_representer(list, _list)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
