"""`timeline export`: every output format, by name, over one build; written atomically.

Each format is a pure function from a `Build` to bytes, in its own module; this module only
knows their names, file extensions and where the bytes go (a file, a folder, a zip or stdout).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from timeline.errors import ExportError
from timeline.graph import Build
from timeline.progress import Progress, quiet


def _turtle(build: Build, opts: Options) -> bytes:
    from timeline.export.rdf import turtle

    return turtle(build)  # the writer `timeline build` uses: the same bytes as graph.ttl


def _rdf(fmt: str) -> Callable[[Build, Options], bytes]:
    def render(build: Build, opts: Options) -> bytes:
        from timeline.export.rdf import serialize, to_rdf

        return serialize(to_rdf(build), fmt)

    return render


def _jsonld(build: Build, opts: Options) -> bytes:
    from timeline.export.jsonld import serialize_jsonld
    from timeline.export.rdf import to_rdf

    return serialize_jsonld(to_rdf(build))


def _trig(build: Build, opts: Options) -> bytes:
    from timeline.export.trig import serialize_trig

    return serialize_trig(build)


def _rdfxml(build: Build, opts: Options) -> bytes:
    from timeline.export.rdf import to_rdf
    from timeline.export.rdfxml import serialize_rdfxml

    return serialize_rdfxml(to_rdf(build))


def _timelinejs(build: Build, opts: Options) -> bytes:
    from timeline.export.timelinejs import serialize_timelinejs

    return serialize_timelinejs(build, opts.first, opts.last, opts.groups)


def _timelinejs_html(build: Build, opts: Options) -> bytes:
    from timeline.export.timelinejs import serialize_timelinejs_html

    return serialize_timelinejs_html(build, opts.first, opts.last, opts.groups)


def _sheet(build: Build, opts: Options) -> bytes:
    from timeline.sheet import serialize_sheet

    return serialize_sheet(build, opts.sheet, opts.first, opts.last)


def _csv(build: Build, opts: Options) -> bytes:
    from timeline.export.csv import to_tables, to_zip

    return to_zip(to_tables(build))


def _markdown(build: Build, opts: Options) -> bytes:
    from timeline.export.markdown import serialize_markdown

    return serialize_markdown(build)


def _gexf(build: Build, opts: Options) -> bytes:
    from timeline.export.gexf import serialize_gexf

    return serialize_gexf(build)


def _graphml(build: Build, opts: Options) -> bytes:
    from timeline.export.gexf import serialize_graphml

    return serialize_graphml(build)


@dataclass(frozen=True)
class Options:
    """What some formats take besides the build: the window (`--from/--to`) and the
    groups of the TimelineJS formats, and the spreadsheet's kind (by -o's suffix)."""

    first: date | None = None
    last: date | None = None
    groups: bool = True
    sheet: str = "csv"

    @classmethod
    def parse(cls, first: str | None, last: str | None, groups: bool = True) -> Options:
        """From the command line's --from/--to (a month runs from its first to its last day)."""
        from timeline.dates import window_day

        days = []
        for text, option, end in ((first, "--from", False), (last, "--to", True)):
            try:
                days.append(window_day(text, end) if text else None)
            except ValueError as exc:
                raise ExportError(f"{option}: {exc}") from None
        return cls(days[0], days[1], groups)


WINDOWED = ("timelinejs", "timelinejs-html", "sheet")
"""The formats that take --from/--to (and --no-groups, the first two)."""

FORMATS: dict[str, tuple[str, Callable[[Build, Options], bytes]]] = {
    "turtle": (".ttl", _turtle),
    "ntriples": (".nt", _rdf("ntriples")),
    "jsonld": (".jsonld", _jsonld),
    "trig": (".trig", _trig),
    "rdfxml": (".rdf", _rdfxml),
    "timelinejs": (".json", _timelinejs),
    "timelinejs-html": (".html", _timelinejs_html),
    "sheet": (".csv", _sheet),
    "csv": (".csv.zip", _csv),
    "markdown": (".md", _markdown),
    "gexf": (".gexf", _gexf),
    "graphml": (".graphml", _graphml),
}
"""Format name -> (default file extension, renderer)."""

DEFAULT_DIR = Path("out")


@dataclass
class ExportResult:
    """What an export produced: the files written, or the bytes meant for standard output."""

    format: str
    summary: str
    written: list[Path] = field(default_factory=list)
    stdout: bytes | None = None


def check_format(fmt: str) -> str:
    """The format name, or an ExportError listing the formats (and the closest one)."""
    if fmt in FORMATS:
        return fmt
    from timeline.names import did_you_mean

    hint = did_you_mean(fmt, FORMATS, n=1, cutoff=0.5)
    raise ExportError(f"unknown format '{fmt}'{hint}; choose one of: {', '.join(FORMATS)}")


def render(build: Build, fmt: str, opts: Options | None = None) -> bytes:
    """One format of a build, as bytes (csv gives a zip of its tables)."""
    return FORMATS[check_format(fmt)][1](build, opts or Options())


def _csv_target(output: Path) -> Path | None:
    """Where CSV goes: a .zip file (returned), or a folder of tables (None)."""
    if output.suffix.lower() == ".zip":
        return output
    if output.suffix and not output.is_dir():
        raise ExportError(
            f"csv writes several tables: give -o a folder or a .zip file, not '{output}'"
        )
    if output.exists() and not output.is_dir():
        raise ExportError(f"'{output}' is a file: give -o a folder or a .zip file for csv")
    return None


def export(
    path: Any,
    fmt: str,
    output: str | Path | None = None,
    base: str | None = None,
    progress: Progress = quiet,
    opts: Options | None = None,
) -> ExportResult:
    """Read the build folder (or build the dataset, or read a remote store's graph:
    `timeline.remote.Remote`) at `path` and export it as `fmt` to
    `output` ('-' is standard output, a folder gets the default name, None is
    out/timeline.EXT). Nothing is written on error."""
    from timeline.atomic import atomic_write_many

    check_format(fmt)
    opts = opts or Options()
    if fmt not in WINDOWED and (opts.first or opts.last or not opts.groups):
        raise ExportError(
            f"--from, --to and --no-groups apply to {', '.join(WINDOWED)}, not to {fmt}"
        )
    if opts.first and opts.last and opts.last < opts.first:
        raise ExportError(f"--to {opts.last} is before --from {opts.first}; swap them")
    extension = FORMATS[fmt][0]
    if fmt == "sheet" and output is not None and str(output).lower().endswith(".xlsx"):
        opts, extension = replace(opts, sheet="xlsx"), ".xlsx"
    elif (
        fmt == "sheet"
        and output is not None
        and Path(output).suffix.lower()
        not in (
            "",
            ".csv",
        )
    ):
        raise ExportError(f"a sheet is a .csv or an .xlsx file, not '{output}'")
    to_stdout = output is not None and str(output) == "-"
    target = None if output is None or to_stdout else Path(output)
    # decide where the files go before building, so a wrong -o fails fast
    tables_dir = None
    if target is None:
        target = DEFAULT_DIR / f"timeline{extension}"
    elif fmt == "csv":
        tables_dir = None if _csv_target(target) else target
    elif target.is_dir() or str(output).endswith(("/", os.sep)):
        target = target / f"timeline{extension}"
    from timeline.source import read_build
    from timeline.store import is_build_folder, open_built

    local = isinstance(path, str | Path)
    if fmt == "turtle" and local and is_build_folder(path) and base is None:  # as built
        built = open_built(path)
        try:
            data = (built.folder / "graph.ttl").read_bytes()
        except OSError as exc:
            raise ExportError(
                f"{built.folder / 'graph.ttl'}: {exc.strerror}; rebuild it with: "
                f"{built.rebuild_hint}"
            ) from None
        summary = built.manifest["summary"]
        if to_stdout:
            return ExportResult(fmt, summary, stdout=data)
        atomic_write_many({target: data})
        return ExportResult(fmt, summary, written=[target])
    b = read_build(path, base=base, progress=progress)
    progress(f"render {fmt}")
    summary = b.dataset.summary()
    if to_stdout:
        return ExportResult(fmt, summary, stdout=render(b, fmt, opts))
    if tables_dir is not None:
        from timeline.export.csv import to_tables

        files = {tables_dir / name: data for name, data in to_tables(b).items()}
    else:
        files = {target: render(b, fmt, opts)}
    progress("write")
    atomic_write_many(files)
    return ExportResult(fmt, summary, written=sorted(files))
