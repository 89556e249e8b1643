"""A Markdown chronology: one section per year, one entry per event, sources as footnotes.

Curated text is escaped so that it reads as written: no link, image, HTML or heading can be
smuggled in through a title or a summary.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from timeline.graph import Build
from timeline.models import Claim, Dataset, Event, Source

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


def _claim(ds: Dataset, c: Claim) -> str:
    text = f"{md(ds.actor(c.claimed_by).name)} claims {md(c.statement)}"
    if c.value is not None:
        unit = f" {md(c.unit)}" if c.unit else ""
        text += f": {'about ' if c.approximate else ''}{md(str(c.value))}{unit}"
    text += _notes(c.sources)
    for v in c.verifications:
        value = (
            "" if v.value is None else f", {'about ' if v.approximate else ''}{md(str(v.value))}"
        )
        text += f"; {md(ds.actor(v.by).name)}: {v.verdict}{value}{_notes(v.sources)}"
    return f"- **Claim:** {text}"


def _event(ds: Dataset, e: Event, claims: list[Claim]) -> list[str]:
    lines = [
        f"### {md(e.when.label())}: {md(e.title)}",
        "",
        f"{md(e.summary)}{_notes(e.sources)}",
        "",
    ]
    who = [f"{md(ds.actor(p.actor).name)} ({p.role})" for p in e.participants]
    if who:
        lines.append(f"- **Who:** {', '.join(who)}")
    if e.places:
        lines.append(f"- **Where:** {', '.join(md(ds.actor(p).name) for p in e.places)}")
    for q in e.quotes:
        by = f" — {md(ds.actor(q.speaker).name)}" if q.speaker else ""
        note = " (paraphrase)" if q.paraphrase else ""
        lines.append(f"- **Quote:** “{md(q.text)}”{by}{note}{_notes(q.sources or e.sources)}")
    lines.extend(_claim(ds, c) for c in claims)
    if e.date_note:
        lines.append(f"- **Date:** {md(e.date_note)}")
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
        if e.when.earliest.year != year:
            year = e.when.earliest.year
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
