"""The story's focus period, and which events are background to it.

A chronology of a few weeks often opens with spans of years ("~ 2015 - 2025": an economic
collapse, a long rule). Drawn on the same axis, they set the scale and crush the weeks the story is
about into its right edge. The timeline exports frame the focus period instead, and show the long
spans as background: a list on the title slide, or an era clipped to the focus window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from timeline.dates import PartialDate
from timeline.models import Event

LONG_DAYS = 366
"""A span longer than this (over a year) is background, not a slide that sets the scale."""
CORE_DAYS = 31
"""Events dated within a month at most make the core that sets the focus period."""


@dataclass(frozen=True)
class Frame:
    """The focus window (`first`..`last`) and the ids of the events that are background to it.

    `chosen` is True when the window was given (`--from/--to`): events outside it are left out,
    not kept as background."""

    first: date
    last: date
    background: frozenset[str]
    chosen: bool = False

    def inside(self, e: Event) -> bool:
        """The event has some day in the window (an open or unknown date: the day a chronology
        places it on)."""
        if e.when.known:
            return e.when.overlaps(self.first, self.last)
        day = e.when.day
        return day is not None and self.first <= day <= self.last


NOTHING_DATED = date(1970, 1, 1)
"""The window of a dataset with no dated event (none, or all unknown)."""


def frame(events: Iterable[Event], first: date | None = None, last: date | None = None) -> Frame:
    """Frame `events`: by default the focus runs from the first to the last day of the events
    dated within a month (else within a year, else all of them); events over a year long, or
    that end before the focus starts, are background. `first`/`last` choose the window."""
    dates = [(e.id, e.when) for e in events]  # one pass over the models: 100k events in views
    known = [w for _, w in dates if w.known] or [w for _, w in dates if w.day]
    if not known:
        # nothing dated: a fixed day, never today's, so the same data gives the same output
        day = first or last or NOTHING_DATED
        return Frame(first or day, last or day, frozenset(), first is not None)
    spans = [(w, _span(w)) for w in known]
    core = (
        [w for w, days in spans if days <= CORE_DAYS]
        or [w for w, days in spans if days <= LONG_DAYS]
        or known
    )
    start = first or min(_first_day(w) for w in core)
    end = last or max(_last_day(w) for w in core)
    if end < start:
        start, end = end, start
    background = frozenset(
        i for i, w in dates if w.known and (_span(w) > LONG_DAYS or w.latest < start)
    )
    return Frame(start, end, background, chosen=first is not None or last is not None)


def _span(w: PartialDate) -> int:
    return (w.latest - w.earliest).days + 1 if w.known else 1


def _first_day(w: PartialDate) -> date:
    return w.earliest if w.known else w.day or date.min


def _last_day(w: PartialDate) -> date:
    return w.latest if w.known else w.day or date.max
