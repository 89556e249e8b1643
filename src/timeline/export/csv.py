"""CSV tables for spreadsheets: events, actors, participations, claims, verifications,
relations, quotes, quantities, media and sources.

Lists are joined with `|`; every id is the curated slug, the same as in the RDF and graph files.
Text that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return)
is prefixed with an apostrophe, the usual defence against CSV injection.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from typing import Any

from timeline.dates import bound_iso
from timeline.graph import Build

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A fixed timestamp keeps the zip byte-identical from one run to the next.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _join(values: Iterable[str]) -> str:
    return "|".join(values)


def _table(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode()


def to_tables(build: Build) -> dict[str, bytes]:
    """Each table as CSV bytes, by file name."""
    ds = build.dataset
    events = ds.events_by_date()
    return {
        "events.csv": _table(
            [
                "id",
                "date",
                "date_label",
                "earliest",
                "latest",
                "precision",
                "approximate",
                "type",
                "status",
                "title",
                "summary",
                "places",
                "part_of",
                "follows",
                "caused_by",
                "date_note",
                "date_as_stated",
                "relative_to",
                "sources",
            ],
            (
                [
                    e.id,
                    str(e.when),
                    e.when.label(),
                    bound_iso(e.when.earliest),
                    bound_iso(e.when.latest),
                    "unknown" if e.when.undated else e.when.precision,
                    e.when.approximate,
                    e.type,
                    e.status,
                    e.title,
                    e.summary,
                    _join(e.places),
                    e.part_of,
                    _join(e.follows),
                    _join(e.caused_by),
                    e.date_note,
                    e.when.as_stated,
                    e.when.relative_to,
                    _join(e.sources),
                ]
                for e in events
            ),
        ),
        "actors.csv": _table(
            ["id", "name", "kind", "category", "aliases", "description", "wikidata"],
            (
                [
                    a.id,
                    a.name,
                    a.kind,
                    a.category,
                    _join(a.aliases),
                    a.description,
                    _join(a.same_as),
                ]
                for a in ds.actors
            ),
        ),
        "participations.csv": _table(
            ["event", "actor", "role", "event_date", "actor_name", "place"],
            (
                [e.id, actor, role, str(e.when), ds.actor(actor).name, place]
                for e in events
                for actor, role, place in [
                    *((p.actor, p.role, p.place) for p in e.participants),
                    *((place, "location", None) for place in e.places),
                ]
            ),
        ),
        "claims.csv": _table(
            [
                "id",
                "about",
                "claimed_by",
                "statement",
                "value",
                "unit",
                "approximate",
                "date",
                "disputed",
                "sources",
            ],
            (
                [
                    c.id,
                    c.about,
                    c.claimed_by,
                    c.statement,
                    c.value,
                    c.unit,
                    c.approximate,
                    None if c.date is None else str(c.date),
                    bool(c.disagreements()),
                    _join(c.sources),
                ]
                for c in ds.claims
            ),
        ),
        "verifications.csv": _table(
            [
                "claim",
                "by",
                "verdict",
                "value",
                "unit",
                "approximate",
                "disagrees",
                "date",
                "note",
                "sources",
            ],
            (
                [
                    c.id,
                    v.by,
                    v.verdict,
                    v.value,
                    c.unit if v.value is not None else None,
                    v.approximate,
                    v in c.disagreements(),
                    None if v.date is None else str(v.date),
                    v.note,
                    _join(v.sources),
                ]
                for c in ds.claims
                for v in c.verifications
            ),
        ),
        "relations.csv": _table(
            ["id", "subject", "type", "object", "start", "end", "ended", "note", "sources"],
            (
                [
                    r.key,
                    r.subject,
                    r.type,
                    r.object,
                    None if r.start is None else str(r.start),
                    None if r.end is None else str(r.end),
                    r.ended or r.end is not None,
                    r.note,
                    _join(r.sources),
                ]
                for r in ds.relations
            ),
        ),
        "quotes.csv": _table(
            ["event", "number", "text", "speaker", "paraphrase", "sources"],
            (
                [e.id, i, q.text, q.speaker, q.paraphrase, _join(q.sources or e.sources)]
                for e in events
                for i, q in enumerate(e.quotes, 1)
            ),
        ),
        "quantities.csv": _table(
            ["event", "number", "value", "unit", "of", "approximate"],
            (
                [e.id, i, q.value, q.unit, q.of, q.approximate]
                for e in events
                for i, q in enumerate(e.quantities, 1)
            ),
        ),
        "media.csv": _table(
            ["item", "number", "url", "file", "image", "alt", "caption", "credit"],
            (
                [item, i, m.url, m.file, m.is_image, m.alt, m.caption, m.credit]
                for item, media in [
                    *((f"event:{e.id}", e.media) for e in events),
                    *((f"actor:{a.id}", a.media) for a in ds.actors),
                ]
                for i, m in enumerate(media, 1)
            ),
        ),
        "sources.csv": _table(
            ["id", "title", "publisher", "url", "published", "retrieved", "note"],
            (
                [
                    s.id,
                    s.title,
                    s.publisher,
                    s.url,
                    None if s.published is None else str(s.published),
                    None if s.retrieved is None else s.retrieved.isoformat(),
                    s.note,
                ]
                for s in ds.sources
            ),
        ),
    }


def to_zip(tables: dict[str, bytes]) -> bytes:
    """The tables in one zip, byte-identical for identical tables."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(tables):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, tables[name])
    return buffer.getvalue()
