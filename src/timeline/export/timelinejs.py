"""Knight Lab TimelineJS JSON (https://timeline.knightlab.com/docs/json-format.html).

A slide per event: the date keeps its precision (year, year+month or a full day, with
`display_date` showing approximation and ranges), events are grouped by type, and the slide text
carries participants, quotes, claims with their verifications, and the sources credited by name.
TimelineJS renders slide text as HTML, so every curated string is escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from timeline.dates import PartialDate
from timeline.graph import Build
from timeline.models import Claim, Dataset, Event, Source


def _date(iso: str, display: str | None = None) -> dict[str, Any]:
    parts = [int(p) for p in iso.split("-")]
    out: dict[str, Any] = dict(zip(("year", "month", "day"), parts, strict=False))
    if display:
        out["display_date"] = display
    return out


def _group(event_type: str) -> str:
    return event_type.replace("-", " ").capitalize()


def _source(s: Source) -> str:
    title = escape(s.title)
    if s.url:
        title = f'<a href="{escape(s.url)}">{title}</a>'
    parts = [title, *(escape(p) for p in (s.publisher,) if p)]
    if s.published:
        parts.append(escape(s.published.label()))
    return ", ".join(parts)


def _claim(ds: Dataset, c: Claim) -> str:
    who = escape(ds.actor(c.claimed_by).name)
    text = f"<b>{who}</b> claims: {escape(c.statement)}"
    if c.value is not None:
        about = "about " if c.approximate else ""
        unit = f" {escape(c.unit)}" if c.unit else ""
        text += f" ({about}{escape(str(c.value))}{unit})"
    checks = []
    for v in c.verifications:
        check = f"{escape(ds.actor(v.by).name)}: {escape(v.verdict)}"
        if v.value is not None:
            check += f", {'about ' if v.approximate else ''}{escape(str(v.value))}"
        checks.append(check)
    if checks:
        text += f" — checked by {'; '.join(checks)}"
    return f"<li>{text}</li>"


def _text(ds: Dataset, e: Event, claims: list[Claim]) -> str:
    html = [f"<p>{escape(e.summary)}</p>"]
    who = [f"{escape(ds.actor(p.actor).name)} ({escape(p.role)})" for p in e.participants]
    if who:
        html.append(f"<p><b>Who:</b> {', '.join(who)}</p>")
    if e.places:
        html.append(f"<p><b>Where:</b> {', '.join(escape(ds.actor(p).name) for p in e.places)}</p>")
    for q in e.quotes:
        by = f" — {escape(ds.actor(q.speaker).name)}" if q.speaker else ""
        note = " (paraphrase)" if q.paraphrase else ""
        html.append(f"<blockquote>“{escape(q.text)}”{by}{note}</blockquote>")
    if claims:
        html.append(f"<p><b>Claims:</b></p><ul>{''.join(_claim(ds, c) for c in claims)}</ul>")
    if e.date_note:
        html.append(f"<p><i>Date: {escape(e.date_note)}</i></p>")
    sources = [_source(ds.source(s)) for s in e.sources]
    html.append(f"<p><b>Sources:</b> {'; '.join(sources)}</p>")
    return "".join(html)


def _when(when: PartialDate) -> dict[str, Any]:
    slide: dict[str, Any] = {"start_date": _date(when.start, None if when.end else when.label())}
    if when.end:
        slide["end_date"] = _date(when.end)
    slide["display_date"] = when.label()
    return slide


def to_timelinejs(build: Build) -> dict[str, Any]:
    """The TimelineJS document: a title slide and one slide per event, in date order."""
    ds = build.dataset
    claims: dict[str, list[Claim]] = {}
    for c in ds.claims:
        if c.about:
            claims.setdefault(c.about, []).append(c)
    title_text = f"<p>{escape(ds.dataset.description)}</p>" if ds.dataset.description else ""
    credits = "; ".join(_source(s) for s in ds.sources)
    events = []
    for e in ds.events_by_date():
        slide = {
            **_when(e.when),
            "text": {"headline": escape(e.title), "text": _text(ds, e, claims.get(e.id, []))},
            "group": _group(e.type),
            "unique_id": e.id,
            "autolink": False,
        }
        events.append(slide)
    return {
        "title": {
            "text": {
                "headline": escape(ds.dataset.title),
                "text": f"{title_text}<p><b>Sources:</b> {credits}</p>",
            }
        },
        "events": events,
    }


def serialize_timelinejs(build: Build) -> bytes:
    """TimelineJS JSON bytes."""
    return (json.dumps(to_timelinejs(build), indent=2, ensure_ascii=False) + "\n").encode()
