"""A Markdown chronology: one section per year, one entry per event, sources as footnotes.

Curated text is escaped so that it reads as written: no link, image, HTML or heading can be
smuggled in through a title or a summary.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from timeline.export.timelinejs import quantity
from timeline.graph import Build
from timeline.models import Claim, Dataset, Event, Media, Source

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can start
# markup inline (emphasis, links and images via [, HTML, entities, code, tables, strikethrough).
# Parentheses and ! are harmless once [ is escaped, so they are left readable.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def md(text: str) -> str:
    """Escape curated text for Markdown, on one line."""
    flat = " ".join(text.split())
    escaped = _SPECIAL.sub(r"\\\1", flat)
    # a leading -, + or "1." would start a list, ">" a quote, "=" a heading underline
    return re.sub(r"^([-+=>]|\d+[.)])", r"\\\1", escaped)


def _url(url: str) -> str:
    return "<" + quote(url, safe=":/?#[]@!$&'()*+,;=%-._~") + ">"


def _footnote(s: Source) -> str:
    parts = [md(s.publisher)] if s.publisher else []
    parts.append(f"“{md(s.title)}”")
    if s.published:
        parts.append(md(s.published.label()))
    if s.retrieved:
        parts.append(f"retrieved {s.retrieved.isoformat()}")
    text = ", ".join(parts)
    if s.url:
        text += f". {_url(s.url)}"
    if s.note:
        text += f" {md(s.note)}"
    return f"[^{s.id}]: {text}"


def _notes(sources: list[str]) -> str:
    return "".join(f"[^{s}]" for s in dict.fromkeys(sources))


VERDICT_SENTENCE = {
    "confirmed": "confirms it",
    "partially-confirmed": "partly confirms it",
    "unverified": "has not verified it",
    "disputed": "disputes it",
    "refuted": "refutes it",
}


def _claim(ds: Dataset, c: Claim) -> str:
    """``X claims: “…” (about 88,000,000 euros). Y confirms it, 88,000,000 euros.``"""
    text = f"{md(ds.actor(c.claimed_by).name)} claims: “{md(c.statement)}”"
    said = [md(quantity(c.value, c.unit, c.approximate))] if c.value is not None else []
    said += [md(c.date.label())] if c.date else []
    if said:
        text += f" ({', '.join(said)})"
    text += "." + _notes(c.sources)
    for v in c.verifications:
        check = f"{md(ds.actor(v.by).name)} {VERDICT_SENTENCE[v.verdict]}"
        if v.value is not None:
            check += f": {md(quantity(v.value, c.unit, v.approximate))}"
        if v.date:
            check += f" ({md(v.date.label())})"
        if v.note:
            check += f"; {md(v.note)}"
        text += f" {_sentence(check)}{_notes(v.sources)}"
    return f"- **Claim:** {text}"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _when(ds: Dataset, e: Event) -> str:
    """What the heading's date label leaves out: the words as stated, what a relative date
    was resolved against, approximation."""
    when, parts = e.when, []
    if when.as_stated:
        parts.append(f"stated as “{md(when.as_stated)}”")
    if when.relative_to:
        parts.append(f"relative to the event “{md(ds.event(when.relative_to).title)}”")
    if not parts:  # the heading's label says the rest ("~" for approximate)
        return ""
    if when.approximate:
        parts.append("approximate")
    return f"{md(when.label())} ({', '.join(parts)})"


def _media(m: Media) -> str:
    where = _url(m.url) if m.url else _url(m.file or "")
    credit = f" Credit: {md(m.credit)}." if m.credit else ""
    caption = f" {md(m.caption)}." if m.caption else ""
    if m.is_image:
        return f"- **Image:** ![{md(m.alt or '')}]({where}){caption}{credit}"
    return f"- **Media:** [{md(m.caption or m.url or m.file or '')}]({where}){credit}"


STATUS_SENTENCE = {"planned": "Planned: this has not happened yet.", "ongoing": "Ongoing."}


def _event(ds: Dataset, e: Event, claims: list[Claim]) -> list[str]:
    status = f" ({e.status})" if e.status != "occurred" else ""
    lines = [f"### {md(e.when.label())}{status}: {md(e.title)}", ""]
    if e.status in STATUS_SENTENCE:
        lines += [f"**{STATUS_SENTENCE[e.status]}**", ""]
    lines += [f"{md(e.summary)}{_notes(e.sources)}", ""]
    who = [md(ds.participant_text(p)) for p in e.participants]
    if who:
        lines.append(f"- **Who:** {', '.join(who)}")
    if e.places:
        lines.append(f"- **Where:** {', '.join(md(ds.actor(p).name) for p in e.places)}")
    for q in e.quotes:
        by = f" — {md(ds.actor(q.speaker).name)}" if q.speaker else ""
        note = " (paraphrase)" if q.paraphrase else ""
        lines.append(f"- **Quote:** “{md(q.text)}”{by}{note}{_notes(q.sources or e.sources)}")
    if e.quantities:
        counted = [md(f"{quantity(q.value, q.unit, q.approximate)} ({q.of})") for q in e.quantities]
        lines.append(f"- **Figures:** {'; '.join(counted)}")
    lines.extend(_claim(ds, c) for c in claims)
    when = _when(ds, e)
    if when or e.date_note:
        lines.append(f"- **Date:** {'. '.join(p for p in (when, md(e.date_note or '')) if p)}")
    lines.extend(_media(m) for m in e.media)
    if lines[-1] != "":
        lines.append("")
    return lines


def to_markdown(build: Build) -> str:
    """The chronology as Markdown text."""
    ds = build.dataset
    claims: dict[str, list[Claim]] = {}
    for c in ds.claims:
        if c.about:
            claims.setdefault(c.about, []).append(c)
    lines = [f"# {md(ds.dataset.title)}", ""]
    if ds.dataset.description:
        lines += [md(ds.dataset.description), ""]
    year = None
    for e in ds.events_by_date():
        day = e.when.day
        heading = str(day.year) if day else "Date unknown"
        if heading != year:
            year = heading
            lines += [f"## {year}", ""]
        lines += _event(ds, e, claims.get(e.id, []))
    other = [c for c in ds.claims if not c.about]
    if other:
        lines += ["## Other claims", "", *(_claim(ds, c) for c in other), ""]
    lines += ["## Sources", "", *(_footnote(s) for s in ds.sources)]
    return "\n".join(lines) + "\n"


def serialize_markdown(build: Build) -> bytes:
    """Markdown bytes (UTF-8)."""
    return to_markdown(build).encode()
