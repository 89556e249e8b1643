"""Partial dates that keep their precision: day, month, year, approximate, range, relative,
open-ended and unknown.

A `PartialDate` is written as an ISO prefix (``2026``, ``2026-01``, ``2026-01-03``),
optionally prefixed with ``~`` when approximate, or as a range ``START/END`` of such prefixes.
Open-ended dates use the EDTF (ISO 8601-2) forms: ``2026-01-03/..`` (on or after) and
``../2026-01-03`` (on or before); ``unknown`` is a date nobody knows. It knows its earliest and
latest possible day (an open side is ``date.min``/``date.max``), so range queries work whatever
the precision, and it sorts by them.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

Precision = Literal["day", "month", "year"]

# ASCII digits only: \d would also accept look-alikes such as fullwidth or Arabic-Indic digits.
_ISO_PREFIX = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?", re.ASCII)
HOW_TO_WRITE = (
    "write YYYY, YYYY-MM or YYYY-MM-DD (prefix ~ if approximate; START/END for a range, "
    "START/.. or ../END if open), or unknown"
)
UNKNOWN = "unknown"
Open = Literal["after", "before"]
_RANK = {"year": 0, "month": 1, "day": 2}
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _precision(iso: str) -> Precision:
    precision: Precision = ("year", "month", "day")[iso.count("-")]
    return precision


@functools.lru_cache(maxsize=16_384)
def _bounds(iso: str) -> tuple[date, date]:
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], last)
    d = date(*parts)
    return d, d


def _parse_time(text: str, whole: str) -> str:
    """Validate a time of day (HH:MM, HH:MM:SS, with Z or ±HH:MM) in canonical form: seconds
    only when not zero, Z as +00:00 is kept as written."""
    m = _TIME.fullmatch(text)
    if not m:
        raise ValueError(
            f"date '{shown(whole)}' has time '{shown(text)}'; write HH:MM with its UTC offset, "
            "e.g. 2025-10-19T09:30+02:00"
        )
    hour, minute, second, offset = m.groups()
    if int(hour) > 23 or int(minute) > 59 or (second and int(second) > 59):
        raise ValueError(f"date '{shown(whole)}' has time {text}, which no clock shows")
    if offset and offset != "Z" and (int(offset[1:3]) > 14 or int(offset[4:]) > 59):
        raise ValueError(
            f"date '{shown(whole)}' has UTC offset {offset}; offsets run -12:00 to +14:00"
        )
    clock = f"{hour}:{minute}" + (f":{second}" if second and second != "00" else "")
    return clock + (offset or "")


def _split_time(text: str, whole: str) -> tuple[str, str | None]:
    """'2025-10-19T09:30+02:00' -> ('2025-10-19', '09:30+02:00'); a time needs a full day."""
    if "T" not in text:
        return _parse_prefix(text, whole), None
    day, _, clock = text.partition("T")
    iso = _parse_prefix(day, whole)
    if iso.count("-") != 2:
        raise ValueError(
            f"date '{shown(whole)}' has a time of day but no day; write YYYY-MM-DDTHH:MM, e.g. "
            "2025-10-19T09:30+02:00"
        )
    return iso, _parse_time(clock, whole)


def _parse_prefix(text: str, whole: str) -> str:
    """Validate one ISO prefix and return it in canonical zero-padded form."""
    m = _ISO_PREFIX.fullmatch(text)
    if not m:
        raise ValueError(f"date '{shown(whole)}' is not a date; {HOW_TO_WRITE}")
    year, month, day = m.groups()
    if int(year) < 1:
        # Python's dates (and xsd:gYear in our RDF) start at year 1: year 0 would crash later.
        raise ValueError(f"date '{whole}' has year 0000; years run 0001 to 9999")
    if month is None:
        return f"{int(year):04d}"
    if not 1 <= int(month) <= 12:
        raise ValueError(f"date '{whole}' has month {int(month)}; months run 01 to 12")
    if day is None:
        return f"{int(year):04d}-{int(month):02d}"
    last = calendar.monthrange(int(year), int(month))[1]
    if not 1 <= int(day) <= last:
        name = calendar.month_name[int(month)]
        raise ValueError(f"date '{whole}' is not a real day: {name} {int(year)} has {last} days")
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


@dataclass(frozen=True)
class PartialDate:
    """A date with its precision; `end` is set for ranges. Immutable, so what it derives from
    its fields (`day`, `earliest`, `latest`, `precision`, `sort_key`) is kept once computed:
    sorting and framing 100k events ask for them millions of times."""

    start: str
    end: str | None = None
    approximate: bool = False
    relative_to: str | None = field(default=None, compare=False)
    as_stated: str | None = field(default=None, compare=False)
    time: str | None = None
    """The start's time of day (``09:30+02:00``; no offset: local time, unknown zone)."""
    end_time: str | None = None
    open: Open | None = None
    """``after``: on or after `start` (``START/..``); ``before``: on or before `start`
    (``../START``)."""
    undated: bool = False
    """Nobody knows the date (``unknown``). The loader bounds it by the events it follows and
    the event it is part of: `start`/`end` (days) or `start` with `open` after, or nothing
    (`start` empty)."""

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Parse ``2026-01-03``, ``2026-01``, ``2026``, ``~2026-01``, ``2026-01-05/2026-01-11``."""
        if type(value) is str and cls is PartialDate:
            return _parse_cached(value)
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, date):
            return cls(value.isoformat())
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"a date must be text, not {type(value).__name__}; {HOW_TO_WRITE}")
        return cls._parse_text(value)

    @classmethod
    def _parse_text(cls, value: str) -> PartialDate:
        text = value.strip()
        if text.lower() == UNKNOWN:
            return cls("", undated=True)
        approximate = text.startswith("~")
        body = text[1:].strip() if approximate else text
        if body.count("/") > 1:
            raise ValueError(f"date '{shown(value)}' is not a date; {HOW_TO_WRITE}")
        if "/" in body:
            a, b = (p.strip() for p in body.split("/"))
            if b == ".." or a == "..":
                if a == b or approximate:
                    raise ValueError(
                        f"date '{shown(value)}' is not a date; write START/.. (on or after) or "
                        "../END (on or before), without ~"
                    )
                start, time = _split_time(b if a == ".." else a, value)
                return cls(start, None, time=time, open="before" if a == ".." else "after")
            (start, time), (end, end_time) = _split_time(a, value), _split_time(b, value)
            if _bounds(end)[1] < _bounds(start)[0]:
                raise ValueError(
                    f"date range '{value}' ends ({end}) before it starts ({start}); "
                    "write the earlier date first"
                )
            return cls(start, end, approximate, time=time, end_time=end_time)
        start, time = _split_time(body, value)
        return cls(start, None, approximate, time=time)

    @classmethod
    def from_days(cls, first: date, last: date, **kw: Any) -> PartialDate:
        if first == last:
            return cls(first.isoformat(), None, **kw)
        return cls(first.isoformat(), last.isoformat(), **kw)

    @classmethod
    def unknown(cls, lower: date = date.min, upper: date = date.max) -> PartialDate:
        """An unknown date bounded by days (``date.min``/``date.max``: no bound on that side)."""
        if lower == date.min and upper == date.max:
            return cls("", undated=True)
        if upper == date.max:
            return cls(lower.isoformat(), open="after", undated=True)
        if lower == date.min:
            return cls(upper.isoformat(), open="before", undated=True)
        return cls.from_days(lower, upper, undated=True)

    @functools.cached_property
    def precision(self) -> Precision:
        return _precision(self.start) if self.start else "day"

    @property
    def is_range(self) -> bool:
        return self.end is not None

    @functools.cached_property
    def earliest(self) -> date:
        if self.open == "before" or not self.start:
            return date.min
        return _bounds(self.start)[0]

    @functools.cached_property
    def latest(self) -> date:
        if self.open == "after" or not self.start:
            return date.max
        return _bounds(self.end or self.start)[1]

    @property
    def known(self) -> bool:
        """Both ends are known: neither open nor unknown."""
        return self.open is None and not self.undated

    @functools.cached_property
    def day(self) -> date | None:
        """The day a chronology places it on: its earliest day, the day an open date is bounded
        by, None for an unknown date with no bound."""
        if not self.start:
            return None
        return _bounds(self.start)[0]

    @functools.cached_property
    def sort_key(self) -> tuple[date, int, date, str]:
        """Chronological; on the same first day the coarser date comes first (2026, Jan 2026,
        3 Jan 2026), as a chronology reads. ``../X`` comes just before X's day, ``X/..`` and
        unknown dates bounded by X just after it, and unknown dates with no bound last."""
        if self.day is None:
            return (date.max, 9, date.max, str(self))
        if self.open == "before":
            return (self.day, -1, self.day, str(self))
        rank = _RANK[self.precision] + (3 if self.open or self.undated else 0)
        return (self.day, rank, self.latest, str(self))

    def overlaps(self, first: date | None, last: date | None) -> bool:
        """True when some day of this date may fall in [first, last] (open ends allowed)."""
        return (first is None or self.latest >= first) and (last is None or self.earliest <= last)

    def label(self) -> str:
        """A human label: '3 Jan 2026', 'Jan 2026', '2026', '~ week of 5 Jan 2026',
        '19 Oct 2025 09:30 (UTC+02:00)'."""
        if self.undated:
            if not self.start:
                return "date unknown"
            if self.open:
                return f"date unknown ({self.open} {_label(self.start)})"
            days = " – ".join(_label(d) for d in (self.start, self.end) if d)
            return f"date unknown ({days})"
        if self.open:
            side = "on or after" if self.open == "after" else "on or before"
            return f"{side} {_label(self.start)}{_clock(self.time)}"
        prefix = "~ " if self.approximate else ""
        if self.time or self.end_time:
            opening = _label(self.start) + _clock(self.time)
            if self.end is None:
                return prefix + opening
            return f"{prefix}{opening} – {_label(self.end)}{_clock(self.end_time)}"
        if self.end is None:
            return prefix + _label(self.start)
        first, last = self.earliest, self.latest
        if (
            self.precision == "day"
            and _precision(self.end) == "day"
            and (last - first) == timedelta(days=6)
            and first.weekday() == 0
        ):
            return f"{prefix}week of {_label(self.start)}"
        return f"{prefix}{_label(self.start)} – {_label(self.end)}"

    def __str__(self) -> str:
        if self.undated:
            return UNKNOWN
        if self.open:
            day = self.start + (f"T{self.time}" if self.time else "")
            return f"{day}/.." if self.open == "after" else f"../{day}"
        start = self.start + (f"T{self.time}" if self.time else "")
        end = self.end and self.end + (f"T{self.end_time}" if self.end_time else "")
        body = start if end is None else f"{start}/{end}"
        return ("~" if self.approximate else "") + body

    @staticmethod
    def xsd_datetime(day: str, time: str) -> str:
        """The xsd:dateTime of a day and time: ``2025-10-19T09:30:00+02:00``."""
        clock, offset = time[:8] if time[5:6] == ":" else time[:5], ""
        rest = time[len(clock) :]
        offset = "Z" if rest == "Z" else rest
        if len(clock) == 5:
            clock += ":00"
        return f"{day}T{clock}{offset}"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


def bound_iso(day: date) -> str | None:
    """An earliest or latest day as ISO text; None on an open side (`date.min`, `date.max`)."""
    return None if day in (date.min, date.max) else day.isoformat()


def window_day(text: str, last: bool = False) -> date:
    """One end of a date window given on the command line (``--from 2026-01``): the first day
    of what `text` names, or with `last` its last day. Open and unknown dates are no window's
    end: refused, as text that is no date is (ValueError)."""
    when = PartialDate.parse(text)
    if not when.known:
        raise ValueError(f"'{shown(text)}' is open or unknown; write YYYY, YYYY-MM or YYYY-MM-DD")
    return when.latest if last else when.earliest


@functools.lru_cache(maxsize=65_536)
def _parse_cached(value: str) -> PartialDate:
    # Datasets repeat the same few thousand dates; a PartialDate is immutable, so one may be
    # shared. Errors are raised again each time: lru_cache keeps only results.
    return PartialDate._parse_text(value)


def shown(text: str, limit: int = 60) -> str:
    """Text from the data as it may be echoed in a message: short, and no control characters
    (a hostile file must not be able to move the cursor or recolour a terminal)."""
    clipped = text[:limit]
    if not clipped.isprintable():
        clipped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in clipped)
    return clipped + ("…" if len(text) > limit else "")


def _clock(time: str | None) -> str:
    """' 09:30 (UTC+02:00)', ' 09:30 UTC', ' 09:30' (local, zone unknown)."""
    if not time:
        return ""
    clock = time[:8] if time[5:6] == ":" else time[:5]
    zone = time[len(clock) :]
    if zone == "Z" or zone == "+00:00":
        return f" {clock} UTC"
    return f" {clock} (UTC{zone})" if zone else f" {clock}"


def _label(iso: str) -> str:
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return f"{_MONTHS[parts[1] - 1]} {parts[0]}"
    return f"{parts[2]} {_MONTHS[parts[1] - 1]} {parts[0]}"
