"""Knight Lab TimelineJS JSON (https://timeline.knightlab.com/docs/json-format.html).

The story's focus period sets the scale (`timeline.focus`): spans of over a year, or that end
before the focus starts, are not slides but background, listed on the title slide and drawn as
eras clipped to the focus window (TimelineJS scales its navigation to every slide and era, so an
unclipped era of ten years would crush a story of ten days). `--from/--to` choose the window
instead; events outside it are left out.

A slide per event: the date keeps its precision (year, year+month or a full day, with
`display_date` showing approximation, ranges and a relative date's words as stated); events are
grouped by type family (a handful of rows in the navigation, or none); the slide text says what
the view says: the status of a planned or ongoing event, participants, quotes, claims with who
claims them and each verification's verdict and value, and the sources credited by name.
TimelineJS renders slide text as HTML, so every curated string is escaped.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from html import escape
from typing import Any

from timeline.dates import PartialDate
from timeline.focus import Frame, frame
from timeline.graph import Build
from timeline.models import Claim, Dataset, Event, Media, Source, Value


def _date(iso: str, display: str | None = None) -> dict[str, Any]:
    parts = [int(p) for p in iso.split("-")]
    out: dict[str, Any] = dict(zip(("year", "month", "day"), parts, strict=False))
    if display:
        out["display_date"] = display
    return out


def _source(s: Source) -> str:
    title = escape(s.title)
    if s.url:
        title = f'<a href="{escape(s.url)}">{title}</a>'
    parts = [title, *(escape(p) for p in (s.publisher,) if p)]
    if s.published:
        parts.append(escape(s.published.label()))
    return ", ".join(parts)


def quantity(value: Value | None, unit: str | None, approximate: bool) -> str:
    """``about 88000000 euros``: a claimed or checked value as a sentence says it."""
    if value is None:
        return ""
    shown = (
        f"{value:,}" if isinstance(value, int | float) and not isinstance(value, bool) else value
    )
    return f"{'about ' if approximate else ''}{shown}{f' {unit}' if unit else ''}"


def _claim(ds: Dataset, c: Claim) -> str:
    who = escape(ds.actor(c.claimed_by).name)
    text = f"<b>{who}</b> claims: {escape(c.statement)}"
    if c.value is not None:
        text += f" ({escape(quantity(c.value, c.unit, c.approximate))})"
    checks = []
    for v in c.verifications:
        check = f"{escape(ds.actor(v.by).name)}: {escape(v.verdict.replace('-', ' '))}"
        if v.value is not None:
            check += f", {escape(quantity(v.value, c.unit, v.approximate))}"
        if v.date:
            check += f" ({escape(v.date.label())})"
        checks.append(check)
    if checks:
        text += f" — checked by {'; '.join(checks)}"
    return f"<li>{text}</li>"


STATUS_NOTE = {"planned": "Planned: this has not happened yet.", "ongoing": "Ongoing."}


def _when_words(when: PartialDate) -> str:
    """What the date label leaves out: the words as stated, and how approximate it is."""
    notes = []
    if when.as_stated:
        notes.append(f"stated as “{escape(when.as_stated)}”")
    if when.approximate:
        notes.append("approximate date")
    return f"<p><i>Date: {escape(when.label())} ({'; '.join(notes)})</i></p>" if notes else ""


def _media_link(m: Media) -> str:
    what = escape(m.caption or m.alt or m.url or "")
    credit = f" ({escape(m.credit)})" if m.credit else ""
    return f'<p>Media: <a href="{escape(m.url or "")}">{what}</a>{credit}</p>'


def _text(ds: Dataset, e: Event, claims: list[Claim], links: list[Media]) -> str:
    html = []
    if e.status in STATUS_NOTE:
        html.append(f"<p><b>{STATUS_NOTE[e.status]}</b></p>")
    html.append(f"<p>{escape(e.summary)}</p>")
    who = [escape(ds.participant_text(p)) for p in e.participants]
    if who:
        html.append(f"<p><b>Who:</b> {', '.join(who)}</p>")
    if e.places:
        html.append(f"<p><b>Where:</b> {', '.join(escape(ds.actor(p).name) for p in e.places)}</p>")
    for q in e.quotes:
        by = f" — {escape(ds.actor(q.speaker).name)}" if q.speaker else ""
        note = " (paraphrase)" if q.paraphrase else ""
        html.append(f"<blockquote>“{escape(q.text)}”{by}{note}</blockquote>")
    if e.quantities:
        counted = [
            escape(f"{quantity(q.value, q.unit, q.approximate)} ({q.of})") for q in e.quantities
        ]
        html.append(f"<p><b>Figures:</b> {'; '.join(counted)}</p>")
    if claims:
        html.append(f"<p><b>Claims:</b></p><ul>{''.join(_claim(ds, c) for c in claims)}</ul>")
    html.append(_when_words(e.when))
    if e.date_note:
        html.append(f"<p><i>{escape(e.date_note)}</i></p>")
    html.extend(_media_link(m) for m in links)
    sources = [_source(ds.source(s)) for s in e.sources]
    html.append(f"<p><b>Sources:</b> {'; '.join(sources)}</p>")
    return "".join(html)


def _clock(out: dict[str, Any], time: str | None) -> dict[str, Any]:
    """A time of day in TimelineJS's fields (it has no zone: the label shows the offset)."""
    if time:
        out["hour"], out["minute"] = int(time[:2]), int(time[3:5])
    return out


def _when(when: PartialDate) -> dict[str, Any]:
    """An open or unknown date is placed on the day that bounds it, its label saying so."""
    slide: dict[str, Any] = {"start_date": _clock(_date(when.start), when.time)}
    if when.end and when.known:
        slide["end_date"] = _clock(_date(when.end), when.end_time)
    slide["display_date"] = when.label()
    return slide


def _media(m: Media, embedded: dict[str, str] | None) -> dict[str, Any] | None:
    """TimelineJS media: a web address as it is; a local image embedded when the page can
    hold it (`embedded`: data: URIs), else by its path as written (beside the JSON)."""
    if m.file:
        url = embedded.get(m.file) if embedded is not None else m.file
        if url is None:
            return None
        if url.startswith("data:"):
            # TimelineJS tells an image by its address's ending; a data: URI's fragment is
            # not part of its data, so the image still loads
            url += "#" + m.file.rsplit("/", 1)[-1]
    else:
        url = m.url
    out: dict[str, Any] = {"url": url}
    for key, value in (("caption", m.caption), ("credit", m.credit)):
        if value:
            out[key] = escape(value)  # TimelineJS shows them as HTML
    if m.alt:
        out["alt"] = m.alt  # set as the image's alt property, never parsed
    return out


def _clip(when: PartialDate, window: Frame) -> tuple[date, date] | None:
    first, last = max(when.earliest, window.first), min(when.latest, window.last)
    return (first, last) if first <= last else None


def to_timelinejs(
    build: Build,
    first: date | None = None,
    last: date | None = None,
    groups: bool = True,
    embedded: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The TimelineJS document: a title slide, one slide per event of the focus period in date
    order, and the background as eras and a list on the title slide.

    `first`/`last` choose the window; `groups=False` leaves out the type-family groups;
    `embedded` (local media file -> data: URI) makes a page that needs no file beside it, and
    with it media on the web become links in the slide text, never loaded."""
    ds = build.dataset
    claims: dict[str, list[Claim]] = {}
    for c in ds.claims:
        if c.about:
            claims.setdefault(c.about, []).append(c)
    window = frame(ds.events, first, last)
    slides, eras, background, undated = [], [], [], []
    for e in ds.events_by_date():
        if e.when.day is None:
            undated.append(e)
            continue
        if window.chosen and not window.inside(e):
            continue
        if e.id in window.background:
            background.append(e)
            clipped = _clip(e.when, window)
            if clipped is not None and clipped[1] - clipped[0] >= timedelta(days=1):
                eras.append(
                    {
                        "start_date": _date(clipped[0].isoformat()),
                        "end_date": _date(clipped[1].isoformat()),
                        "text": {"headline": escape(e.title)},
                    }
                )
            continue
        media = [m for m in e.media if embedded is None or m.file or not m.url]
        links = [m for m in e.media if embedded is not None and m.url]
        slide: dict[str, Any] = {
            **_when(e.when),
            "text": {
                "headline": escape(e.title),
                "text": _text(ds, e, claims.get(e.id, []), links),
            },
            "unique_id": e.id,
            "autolink": False,
        }
        if groups:
            slide["group"] = ds.family(e.type)
        shown = next((m for m in (_media(m, embedded) for m in media) if m is not None), None)
        if shown is not None:
            slide["media"] = shown
        slides.append(slide)
    doc: dict[str, Any] = {"title": _title(ds, background, undated, window), "events": slides}
    if eras:
        doc["eras"] = eras
    return doc


def _title(
    ds: Dataset, background: list[Event], undated: list[Event], window: Frame
) -> dict[str, Any]:
    text = f"<p>{escape(ds.dataset.description)}</p>" if ds.dataset.description else ""
    if window.chosen or len(undated) < len(ds.events):  # some event is on the axis
        span = PartialDate.from_days(window.first, window.last).label()
        text += f"<p><b>Focus:</b> {escape(span)}</p>"
    if background:
        items = "".join(
            f"<li>{escape(e.when.label())}: {escape(e.title)}"
            f"{' (planned)' if e.status == 'planned' else ''}</li>"
            for e in background
        )
        text += f"<p><b>Background:</b></p><ul>{items}</ul>"
    if undated:
        items = "".join(f"<li>{escape(e.title)}</li>" for e in undated)
        text += f"<p><b>Date unknown:</b></p><ul>{items}</ul>"
    credits = "; ".join(_source(s) for s in ds.sources)
    return {
        "text": {
            "headline": escape(ds.dataset.title),
            "text": f"{text}<p><b>Sources:</b> {credits}</p>",
        }
    }


def serialize_timelinejs(
    build: Build, first: date | None = None, last: date | None = None, groups: bool = True
) -> bytes:
    """TimelineJS JSON bytes."""
    doc = to_timelinejs(build, first, last, groups)
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


START_JS = """(function () {
  "use strict";
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  window.timeline = new TL.Timeline("timeline", read("timeline-data"), read("timeline-options"));
})();"""


def serialize_timelinejs_html(
    build: Build, first: date | None = None, last: date | None = None, groups: bool = True
) -> bytes:
    """A page that opens offline: TimelineJS 3.9.11 (MPL-2.0, in ``assets/timelinejs``) and the
    document inlined, local images embedded, no font or theme fetched from Knight Lab's CDN,
    and a Content-Security-Policy that allows no request at all."""
    from importlib import resources

    from timeline.errors import ExportError
    from timeline.export.html import _SLOT, csp_hash, media_sources, script_json

    assets = resources.files("timeline").joinpath("assets")
    timeline_js = assets.joinpath("timelinejs", "timeline.js").read_text(encoding="utf-8")
    if "</script" in timeline_js.lower():
        raise ExportError("the bundled TimelineJS contains '</script'; it cannot be inlined")
    doc = to_timelinejs(build, first, last, groups, embedded=media_sources(build.media))
    options = {
        "font": None,  # the default fetches a stylesheet from Knight Lab's CDN
        "theme": None,
        "language": "en",  # built in: no locale file to fetch
        "script_path": "./",
        "hash_bookmark": True,
        "timenav_height_percentage": 30,
    }
    slots = {
        "lang": escape(build.dataset.dataset.language),
        "csp": f"{csp_hash(timeline_js)} {csp_hash(START_JS)}",
        "build": escape(build.build_id),
        "title": escape(build.dataset.dataset.title),
        "style": assets.joinpath("timelinejs", "timeline.css").read_text(encoding="utf-8"),
        "data": script_json(doc),
        "options": script_json(options),
        "timeline_js": timeline_js,
        "start_js": START_JS,
    }
    page = assets.joinpath("timelinejs.html").read_text(encoding="utf-8")
    # one pass, so text put into one slot is never read as another
    return _SLOT.sub(lambda m: slots[m.group(1)], page).encode("utf-8")
