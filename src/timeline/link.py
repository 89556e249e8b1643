"""Mentions -> curated actors, and reports for the curator: counts, unlinked names, drafts.

Linking never guesses: a span whose name belongs to several curated actors (a bare "Rodriguez"
when both Delcy and Jorge Rodríguez are curated) is linked only when the context decides it (one
candidate is named in full in the same text, or is the only candidate among the event's curated
participants); otherwise it stays unlinked and is reported with its candidates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from timeline.extract import (
    Extractor,
    Found,
    Gazetteer,
    Row,
    auto_jobs,
    extract_rows,
    fold,
    get_extractor,
)
from timeline.graph import Mention
from timeline.load import frozen_heap
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
