"""Mentions -> curated actors, and reports for the curator: counts, unlinked names, drafts.

Linking never guesses: a span whose name belongs to several curated actors (a bare "Rodriguez"
when both Delcy and Jorge Rodríguez are curated) is linked only when the context decides it (one
candidate is named in full in the same text, or is the only candidate among the event's curated
participants); otherwise it stays unlinked and is reported with its candidates.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from timeline.extract import (
    KIND_BY_LABEL,
    Extractor,
    Found,
    Gazetteer,
    Row,
    article_sentences,
    auto_jobs,
    extract_rows,
    fold,
    frozen_heap,
    get_extractor,
    read_article,
)
from timeline.graph import Mention
from timeline.load import read_dataset, slugify
from timeline.models import Dataset, Event
from timeline.progress import Progress, quiet


def resolve(
    found: Iterable[Found],
    gazetteer: Gazetteer,
    participants: Iterable[str] = (),
    pipeline: str = "",
    event: str = "",
) -> list[Mention]:
    """Link the spans of one text; ambiguous names are decided by context or left unlinked."""
    return _resolve(list(found), gazetteer, participants, pipeline, event)


def _resolve(
    found: Sequence[Row],
    gazetteer: Gazetteer,
    participants: Iterable[str],
    pipeline: str,
    event: str,
) -> list[Mention]:
    """`resolve` over rows (a `Found` is one): a hundred thousand events go through here."""
    keys = gazetteer.keys
    named: set[str] | None = None  # the context: made only when a name is ambiguous
    curated: set[str] = set()
    out = []
    for ctx, start, end, text, label, key, method in found:
        actor: str | None = None
        candidates: tuple[str, ...] = ()
        if key is not None:
            candidates = keys[key]
            if len(candidates) == 1:
                actor, candidates = candidates[0], ()
            else:
                if named is None:
                    names = gazetteer.names
                    named = {
                        names[k]
                        for _, _, _, _, _, k, how in found
                        if how == "gazetteer" and k in names
                    }
                    curated = set(participants)
                actor = _decide(candidates, named) or _decide(candidates, curated)
                method = "ambiguous" if actor is None else "context"
        # Positional, in the order of Mention's fields: a third faster than keywords.
        out.append(
            Mention(event or str(ctx), start, end, text, label, actor, candidates, pipeline, method)
        )
    return out


def _decide(candidates: tuple[str, ...], context: set[str]) -> str | None:
    # In C: a surname shared by fifty curated people was fifty lookups in Python.
    hits = context.intersection(candidates)
    return hits.pop() if len(hits) == 1 else None


def link_dataset(
    dataset: Dataset,
    extractor: Extractor,
    batch_size: int = 256,
    jobs: int | None = None,
    progress: Progress = quiet,
) -> list[Mention]:
    """Extract and link the mentions in every event's text (offsets into `Event.text`).

    `jobs`: processes to extract with; None uses both cores when the input is large enough.
    """
    events = dataset.events
    items = [(i, e.text) for i, e in enumerate(events)]
    words = sum(text.count(" ") + 1 for _, text in items)
    # Linked as they come (from two processes, in runs), put back in order at the end.
    found = extract_rows(
        items,
        extractor,
        batch_size=batch_size,
        jobs=auto_jobs(words, jobs),
        progress=progress,
        ordered=False,
    )
    gazetteer, pipeline = extractor.gazetteer, extractor.name
    linked: dict[int, list[Mention]] = {}
    with frozen_heap():
        for i, rows in found:
            event = events[i]
            linked[i] = _resolve(rows, gazetteer, _participants(event), pipeline, event.id)
    return [m for i in range(len(events)) if i in linked for m in linked[i]]


def _participants(event: Event) -> Iterator[str]:
    for p in event.participants:
        yield p.actor
    yield from event.places


def extract_mentions(
    dataset: Dataset,
    ner: str = "gazetteer",
    progress: Progress = quiet,
    jobs: int | None = None,
    gazetteer: Gazetteer | None = None,
) -> tuple[list[Mention], str]:
    """The mentions of a dataset and the name of the pipeline that found them (with the
    gazetteer of its actors, unless one is given)."""
    progress("extract: load spaCy pipeline")
    extractor = get_extractor(gazetteer or Gazetteer.from_dataset(dataset), ner)
    progress(f"extract and link ({extractor.name})")
    return link_dataset(dataset, extractor, jobs=jobs, progress=progress), extractor.name


# --- reports for the curator -------------------------------------------------------------------


@dataclass(frozen=True)
class ActorCount:
    actor: str
    kind: str
    mentions: int
    events: int


@dataclass(frozen=True)
class Unlinked:
    """A surface form no curated actor was linked to, with where it occurs."""

    text: str
    label: str
    count: int
    events: tuple[str, ...]
    candidates: tuple[str, ...]


def actor_counts(dataset: Dataset, mentions: Iterable[Mention]) -> list[ActorCount]:
    """Every curated actor with its linked mentions and events, most mentioned first."""
    count: Counter[str] = Counter()
    events: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        if m.actor is not None:
            count[m.actor] += 1
            events[m.actor].add(m.event)
    rows = [ActorCount(a.id, a.kind, count[a.id], len(events[a.id])) for a in dataset.actors]
    return sorted(rows, key=lambda r: (-r.mentions, r.actor))


def unlinked(mentions: Iterable[Mention]) -> list[Unlinked]:
    """Surface forms left unlinked, grouped by folded form, most frequent first."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.actor is None:
            groups[fold(m.text)].append(m)
    rows = []
    for ms in groups.values():
        text = Counter(m.text for m in ms).most_common(1)[0][0]
        label = Counter(m.label for m in ms).most_common(1)[0][0]
        candidates = tuple(sorted({c for m in ms for c in m.candidates}))
        rows.append(
            Unlinked(text, label, len(ms), tuple(sorted({m.event for m in ms})), candidates)
        )
    return sorted(rows, key=lambda r: (-r.count, r.text))


def entities_report(
    path: Any, ner: str | None = None, show_unlinked: bool = False, progress: Progress = quiet
) -> str:
    """The text `timeline entities` prints: actor mention counts, or the unlinked names."""
    from timeline.source import read_build

    build = read_build(path, progress=progress, ner=ner)
    dataset, mentions = build.dataset, build.mentions
    lines = [f"pipeline: {build.pipeline}"]
    if show_unlinked:
        rows = unlinked(mentions)
        lines.append(f"{'label':<7} {'count':>5}  surface form")
        for u in rows:
            where = f"events: {', '.join(u.events)}"
            if u.candidates:
                where = f"ambiguous, candidates: {', '.join(u.candidates)}; {where}"
            lines.append(f"{u.label:<7} {u.count:>5}  {u.text}  ({where})")
        lines.append(f"{len(rows)} unlinked surface forms")
    else:
        counts = actor_counts(dataset, mentions)
        width = max([len(c.actor) for c in counts] + [5])
        lines.append(f"{'actor':<{width}}  {'kind':<12} {'mentions':>8} {'events':>6}")
        for c in counts:
            lines.append(f"{c.actor:<{width}}  {c.kind:<12} {c.mentions:>8} {c.events:>6}")
        linked = sum(c.mentions for c in counts)
        lines.append(
            f"{linked} linked mentions of {sum(1 for c in counts if c.mentions)} "
            f"of {len(counts)} actors"
        )
    return "\n".join(lines)


# --- drafts from new articles -----------------------------------------------------------------

_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATES = [
    ("ymd", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("dmy", re.compile(rf"\b(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})\b")),
    ("mdy", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")),
    ("my", re.compile(rf"\b{_MONTH},?\s+(\d{{4}})\b")),
    (
        "y",
        re.compile(
            r"\b(?:in|since|by|during|until|early|late|mid-?)\s+((?:19|20)\d{2})\b", re.IGNORECASE
        ),
    ),
]


def _month(name: str) -> int:
    return next(i for i, m in enumerate(_MONTH_NAMES, 1) if m.startswith(name.lower()[:3]))


def find_date(sentence: str) -> tuple[str, str] | None:
    """The first explicit date in a sentence as (ISO prefix, text as stated), or None."""
    hits = []
    for kind, rx in _DATES:
        for m in rx.finditer(sentence):
            g = m.groups()
            if kind == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif kind == "dmy":
                y, mo, d = int(g[2]), _month(g[1]), int(g[0])
            elif kind == "mdy":
                y, mo, d = int(g[2]), _month(g[0]), int(g[1])
            elif kind == "my":
                y, mo, d = int(g[1]), _month(g[0]), 0
            else:
                y, mo, d = int(g[0]), 0, 0
            try:
                date(y, mo or 1, d or 1)
            except ValueError:
                continue
            iso = f"{y:04d}" + (f"-{mo:02d}" if mo else "") + (f"-{d:02d}" if d else "")
            hits.append((m.start(), -len(iso), iso, m.group(0).strip()))
    if not hits:
        return None
    _, _, iso, stated = min(hits)
    return iso, stated


def draft(
    text: str,
    dataset: Dataset,
    ner: str | None = None,
    name: str = "article",
    progress: Progress = quiet,
) -> dict[str, Any]:
    """A draft for a journalist: actors found (curated or new) and one event per dated sentence."""
    progress("extract: load spaCy pipeline")
    ner = ner or dataset.dataset.ner or "gazetteer"  # as `timeline build` chooses
    extractor = get_extractor(Gazetteer.from_dataset(dataset), ner)
    progress(f"extract and link ({extractor.name})")
    sentences = list(article_sentences(text, extractor))
    # The whole article is the context that may decide an ambiguous name.
    mentions = resolve(
        [f for s in sentences for f in s.found],
        extractor.gazetteer,
        pipeline=extractor.name,
        event=name,
    )
    by_start = {m.start: m for m in mentions}
    new_ids: dict[str, str] = {}
    curated_ids = {a.id for a in dataset.actors}
    actors: dict[str, dict[str, Any]] = {}
    for m in mentions:
        if m.actor is not None:
            a = dataset.actor(m.actor)
            entry = actors.setdefault(
                a.id,
                {"id": a.id, "status": "curated", "name": a.name, "kind": a.kind, "mentions": 0},
            )
        elif not m.candidates:
            key = fold(m.text)
            if key not in new_ids:
                ident = slugify(m.text)
                while ident in curated_ids or ident in new_ids.values():
                    ident += "-new"
                new_ids[key] = ident
            entry = actors.setdefault(
                new_ids[key],
                {
                    "id": new_ids[key],
                    "status": "new",
                    "name": m.text,
                    "kind": _proposed_kind(m),
                    "mentions": 0,
                },
            )
        else:
            continue
        entry["mentions"] += 1
    ambiguous = [
        {"text": m.text, "span": [m.start, m.end], "candidates": list(m.candidates)}
        for m in mentions
        if m.actor is None and m.candidates
    ]
    events: list[dict[str, Any]] = []
    for s in sentences:
        when = find_date(s.text)
        if when is None:
            continue
        ms = [by_start[f.start] for f in s.found]
        ids = list(dict.fromkeys(_mention_actor(m, new_ids) for m in ms))
        events.append(
            {
                "id": f"draft-{len(events) + 1}",
                "date": when[0],
                "date_as_stated": when[1],
                "type": "other",
                "text": s.text,
                "span": [s.start, s.end],
                "participants": [{"actor": i, "role": "participant"} for i in ids if i],
                "mentions": [_mention_entry(m, new_ids) for m in ms],
            }
        )
    return {
        "draft": {
            "from": name,
            "pipeline": extractor.name,
            "note": "nothing here is curated: check every actor and event against the "
            "article; spans are character offsets into the article",
        },
        "actors": sorted(actors.values(), key=lambda a: (a["status"], -a["mentions"], a["id"])),
        "ambiguous": ambiguous,
        "events": events,
    }


def _proposed_kind(m: Mention) -> str:
    words = set(fold(m.text).split())
    if words & {
        "ministry",
        "department",
        "agency",
        "office",
        "police",
        "court",
        "council",
        "committee",
        "party",
        "bank",
        "army",
        "navy",
        "group",
        "union",
        "institute",
        "foundation",
        "association",
        "penal",
        "commission",
        "organization",
        "company",
    }:
        return "organization"
    if words & {"prison", "airport", "base", "palace", "square", "hospital", "embassy"}:
        return "facility"
    if words & {"river", "province", "state", "island", "region", "valley", "mountains"}:
        return "region"
    return KIND_BY_LABEL.get(m.label, "person")


def _mention_actor(m: Mention, new_ids: dict[str, str]) -> str | None:
    if m.actor is not None:
        return m.actor
    return None if m.candidates else new_ids[fold(m.text)]


def _mention_entry(m: Mention, new_ids: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"text": m.text, "span": [m.start, m.end]}
    actor = _mention_actor(m, new_ids)
    if actor is not None:
        entry["actor"] = actor
        entry["how"] = m.method
    else:
        entry["candidates"] = list(m.candidates)
    return entry


def draft_yaml(
    article: str | Path, data: str | Path, ner: str | None = None, progress: Progress = quiet
) -> str:
    """Read an article (or ``-``) and a dataset; return the draft as YAML text."""
    import yaml

    progress("read article")
    text = read_article(article)
    progress("load and validate")
    dataset = read_dataset(data)
    name = "<stdin>" if str(article) == "-" else Path(article).name
    result = draft(text, dataset, ner, name, progress)
    header = (
        f"# Draft by `timeline extract` from {name}: {len(result['actors'])} actors, "
        f"{len(result['events'])} dated sentences. Curate before adding to a dataset.\n"
    )

    class Dumper(yaml.SafeDumper):
        pass

    def short_lists(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
        # Spans and candidate lists read best on one line: span: [36, 50]
        flow = all(isinstance(x, str | int) for x in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    Dumper.add_representer(list, short_lists)
    return header + yaml.dump(result, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
