"""Dates in an article's sentences, English and Spanish, resolved the way a curator would.

Explicit dates keep their precision ("19 October 2025", "October 2025", "in 2024", "el 19 de
octubre de 2025"). A date without a year takes it from the publication day (the latest such
date on or before it, a week of slack for announced plans) or, without one, from the article's
last explicit year. Words relative to the publication ("yesterday", "on Tuesday", "last week",
"earlier this month", "ayer", "la semana pasada") resolve against `--published`; words relative
to the event before ("two days later", "the next day", "dos días después") become a relative
date on that event, and "later" alone ("más tarde") an open one: on or after that event. Each
hit keeps the words as stated.

A small rule set, chosen after measuring (docs/extraction.md, "From a new article to the
dataset"): dateparser 1.5 read "last week" as one day rather than a week and missed "la semana
pasada", and our dataset's forms (ranges, `~`, `relative_to`) are what the rules produce
directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "en": "january february march april may june july august september october november december",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}
WEEKDAYS = {
    "en": "monday tuesday wednesday thursday friday saturday sunday",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
}
NUMBERS = {
    "en": "one two three four five six seven eight nine ten eleven twelve".split(),
    "es": "un dos tres cuatro cinco seis siete ocho nueve diez once doce".split(),
}
_ABBREVIATIONS = {"sept": 9, "setiembre": 9}


def _month_alternation(lang: str) -> str:
    """Month names and their three-letter forms; English ones capitalised only ("may" is a
    verb), Spanish ones in either case (Spanish writes them in lower case)."""
    names = MONTHS[lang].split()
    forms = names + [n[:3] for n in names] + list(_ABBREVIATIONS)
    if lang == "en":
        forms = [f.capitalize() for f in forms] + ["SEPT"]
    else:
        forms += [f.capitalize() for f in forms]
    return "(" + "|".join(sorted({re.escape(f) for f in forms}, key=len, reverse=True)) + r")\.?"


def month_number(word: str, lang: str) -> int:
    word = word.lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return _ABBREVIATIONS[word]
    for lng in (lang, "en", "es"):
        for i, name in enumerate(MONTHS[lng].split(), 1):
            if name == word or name[:3] == word:
                return i
    raise ValueError(word)


@dataclass(frozen=True)
class Hit:
    """A date found in a sentence: the dataset's form (`value`: an ISO prefix, a range, `~`),
    or a window of days after the event before (`after`: (from_days, to_days)), with the
    words as stated and whether a person should check how it was resolved."""

    start: int
    stated: str
    value: str | None = None
    after: tuple[int, int | None] | None = None
    """(from_days, to_days) after the event before; to_days None: open ("later": on or after)."""
    resolved: bool = False
    """Resolved against the publication day, or given a year: a person should check it."""


def _iso(d: date) -> str:
    return d.isoformat()


def _number(word: str, lang: str) -> int | None:
    if word.isdigit():
        return int(word)
    words = NUMBERS[lang]
    if word.lower() in ("a", "an", "una", "uno"):
        return 1
    return words.index(word.lower()) + 1 if word.lower() in words else None


class DateFinder:
    """The dates of one article's sentences, in order: knows the publication day and the
    years the article has stated so far."""

    def __init__(self, lang: str = "en", published: date | None = None) -> None:
        self.lang = lang if lang in MONTHS else "en"
        self.published = published
        self.last_year: int | None = published.year if published else None
        m = _month_alternation(self.lang)
        num = "|".join(["\\d{1,2}", *NUMBERS[self.lang], "a", "an", "una", "uno"])
        day = r"(\d{1,2})(?:st|nd|rd|th|º)?"
        year = r"(\d{4})"
        weekday = "(" + "|".join(WEEKDAYS[self.lang].split()) + ")"
        if self.lang == "es":
            self.explicit = [
                ("dmy", re.compile(rf"\b{day}\s+de\s+{m}(?:\s+de(?:l)?\s+{year})?", re.I)),
                ("my", re.compile(rf"\b(?:en\s+)?{m}\s+de(?:l)?\s+{year}\b", re.I)),
                ("ymd", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
                ("m", re.compile(rf"\b(?:en|desde|hasta|durante)\s+{m}\b(?!\s+de\b)", re.I)),
                (
                    "y",
                    re.compile(
                        r"\b(?:en|desde|hasta|durante)\s+(?:el\s+)?((?:19|20)\d{2})\b", re.I
                    ),
                ),
            ]
            self.relative = [
                ("pub", re.compile(r"\b(anteayer)\b", re.I), -2),
                ("pub", re.compile(r"\b(ayer|anoche)\b", re.I), -1),
                ("pub", re.compile(r"\b(hoy|esta mañana|esta tarde)\b", re.I), 0),
                (
                    "weekday",
                    re.compile(rf"\b(?:el\s+(?:pasado\s+)?){weekday}(?:\s+pasado)?\b", re.I),
                    0,
                ),
                ("ago", re.compile(rf"\bhace\s+({num})\s+(días|semanas)\b", re.I), 0),
                ("lastweek", re.compile(r"\b(la semana pasada)\b", re.I), 0),
                ("thisweek", re.compile(r"\b(esta semana)\b", re.I), 0),
                ("lastmonth", re.compile(r"\b(el mes pasado)\b", re.I), 0),
                (
                    "thismonth",
                    re.compile(
                        r"\b(a principios de este mes|este mes|en lo que va de mes)\b", re.I
                    ),
                    0,
                ),
                ("lastyear", re.compile(r"\b(el año pasado)\b", re.I), 0),
                ("thisyear", re.compile(r"\b(este año|a principios de este año)\b", re.I), 0),
                (
                    "next",
                    re.compile(r"\b(al día siguiente|el día siguiente|un día después)\b", re.I),
                    1,
                ),
                ("next", re.compile(r"\b(el día anterior|la víspera|un día antes)\b", re.I), -1),
                (
                    "later",
                    re.compile(rf"\b({num})\s+(días|semanas)\s+(después|más tarde)\b", re.I),
                    1,
                ),
                ("later", re.compile(rf"\b({num})\s+(días|semanas)\s+antes\b", re.I), -1),
                ("later", re.compile(r"\b(una)\s+(semana)\s+(después|más tarde)\b", re.I), 1),
                ("open", re.compile(r"\b(más tarde|posteriormente)\b", re.I), 1),
            ]
        else:
            self.explicit = [
                ("dmy", re.compile(rf"\b{day}\s+(?:of\s+)?{m}(?:,?\s+{year})?")),
                ("mdy", re.compile(rf"\b{m}\s+{day}\b(?:,?\s+{year})?")),
                ("my", re.compile(rf"\b{m},?\s+(?:of\s+)?{year}\b")),
                ("ymd", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
                (
                    "m",
                    re.compile(
                        rf"\b(?:in|since|by|during|until|early|late|mid-?)\s+{m}(?!,?\s+\d)"
                    ),
                ),
                (
                    "y",
                    re.compile(
                        r"\b(?:in|since|by|during|until|early|late|mid-?)\s+((?:19|20)\d{2})\b",
                        re.I,
                    ),
                ),
            ]
            self.relative = [
                ("pub", re.compile(r"\b(the day before yesterday)\b", re.I), -2),
                ("pub", re.compile(r"\b(yesterday|last night)\b", re.I), -1),
                ("pub", re.compile(r"\b(today|this morning|this afternoon|tonight)\b", re.I), 0),
                ("weekday", re.compile(rf"\b(?:on\s+|last\s+){weekday}\b", re.I), 0),
                ("ago", re.compile(rf"\b({num})\s+(days?|weeks?)\s+ago\b", re.I), 0),
                ("lastweek", re.compile(r"\b(last week)\b", re.I), 0),
                ("thisweek", re.compile(r"\b(this week|earlier this week)\b", re.I), 0),
                ("lastmonth", re.compile(r"\b(last month)\b", re.I), 0),
                ("thismonth", re.compile(r"\b(earlier this month|this month)\b", re.I), 0),
                ("lastyear", re.compile(r"\b(last year)\b", re.I), 0),
                ("thisyear", re.compile(r"\b(earlier this year|this year)\b", re.I), 0),
                ("next", re.compile(r"\b(the (?:next|following) day|a day later)\b", re.I), 1),
                ("same", re.compile(r"\b(the same day|that same day|later that day)\b", re.I), 0),
                (
                    "next",
                    re.compile(
                        r"\b(the (?:previous )?day before|the previous day|a day earlier)\b", re.I
                    ),
                    -1,
                ),
                (
                    "later",
                    re.compile(rf"\b({num})\s+(days?|weeks?)\s+(later|after(?:wards)?)\b", re.I),
                    1,
                ),
                (
                    "later",
                    re.compile(rf"\b({num})\s+(days?|weeks?)\s+(earlier|before)\b", re.I),
                    -1,
                ),
                # "later" alone: on or after the event before ("later this week" is not)
                (
                    "open",
                    re.compile(
                        r"(?<!\bno )\b(later|afterwards|subsequently)\b"
                        r"(?!\s+(?:that|this|in|on|the|than|today|tonight|tomorrow)\b)",
                        re.I,
                    ),
                    1,
                ),
            ]

    def find(self, sentence: str) -> Hit | None:
        """The first date of a sentence (explicit dates first: "on 3 May, two days later" is
        3 May), or None; explicit years are remembered for later dates without one."""
        hits = [h for h in self._explicit(sentence) if h is not None]
        if hits:
            first = min(hits, key=lambda h: h.start)
            return first
        found = [h for h in self._relative(sentence) if h is not None]
        # "later" alone says least: any other date of the sentence ("later, on Tuesday") wins
        told = [h for h in found if not (h.after and h.after[1] is None)] or found
        return min(told, key=lambda h: h.start) if told else None

    def _explicit(self, sentence: str) -> list[Hit | None]:
        out: list[Hit | None] = []
        taken: list[tuple[int, int]] = []
        for kind, rx in self.explicit:
            for m in rx.finditer(sentence):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                hit = self._explicit_hit(kind, m)
                if hit is not None:
                    taken.append((m.start(), m.end()))
                    out.append(hit)
        return out

    def _explicit_hit(self, kind: str, m: re.Match[str]) -> Hit | None:
        g = m.groups()
        stated = m.group(0).strip().rstrip(".,")
        given_year = True
        try:
            if kind == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif kind == "dmy":
                d, mo = int(g[0]), month_number(g[1], self.lang)
                y = int(g[2]) if g[2] else 0
            elif kind == "mdy":
                mo, d = month_number(g[0], self.lang), int(g[1])
                y = int(g[2]) if g[2] else 0
            elif kind == "my":
                mo, y, d = month_number(g[0], self.lang), int(g[1]), 0
            elif kind == "m":
                mo, y, d = month_number(g[0], self.lang), 0, 0
            else:
                y, mo, d = int(g[0]), 0, 0
        except ValueError:
            return None
        if not y:
            given_year = False
            year = self._year_for(mo, d)
            if year is None:
                return None
            y = year
        try:
            date(y, mo or 1, d or 1)
        except ValueError:
            return None
        if given_year:
            self.last_year = y
        value = f"{y:04d}" + (f"-{mo:02d}" if mo else "") + (f"-{d:02d}" if d else "")
        return Hit(m.start(), stated, value=value, resolved=not given_year)

    def _year_for(self, month: int, day: int) -> int | None:
        """The year of a date stated without one: the latest on or before the publication day
        (a week ahead allowed), else the article's last stated year."""
        if self.published is not None:
            year = self.published.year
            try:
                when = date(year, month, day or 1)
            except ValueError:
                return None
            return year if when <= self.published + timedelta(days=7) else year - 1
        return self.last_year

    def _relative(self, sentence: str) -> list[Hit | None]:
        out: list[Hit | None] = []
        for kind, rx, sign in self.relative:
            for m in rx.finditer(sentence):
                out.append(self._relative_hit(kind, m, sign))
        return out

    def _relative_hit(self, kind: str, m: re.Match[str], sign: int) -> Hit | None:
        stated = m.group(0).strip()
        if kind == "same":
            return Hit(m.start(), stated, after=(0, 0))
        if kind == "open":
            return Hit(m.start(), stated, after=(0, None))
        if kind in ("next", "later"):
            n = 1 if kind == "next" else _number(m.group(1), self.lang)
            if n is None:
                return None
            if kind == "later" and m.group(2).lower().startswith(("week", "semana")):
                n *= 7
            days = sign * n
            # "a week later" is about a week; "two days later", the day two days on
            slack = 1 if abs(days) >= 7 else 0
            return Hit(m.start(), stated, after=(days - slack, days + slack))
        p = self.published
        if p is None:
            return None
        if kind == "pub":
            return Hit(m.start(), stated, value=_iso(p + timedelta(days=sign)), resolved=True)
        if kind == "weekday":
            names = WEEKDAYS[self.lang].split()
            target = names.index(m.group(1).lower())
            back = (p.weekday() - target) % 7
            return Hit(m.start(), stated, value=_iso(p - timedelta(days=back)), resolved=True)
        if kind == "ago":
            n = _number(m.group(1), self.lang)
            if n is None:
                return None
            if m.group(2).lower().startswith(("week", "semana")):
                first = p - timedelta(days=7 * n + 3)
                return Hit(
                    m.start(), stated, value=f"~{first}/{first + timedelta(6)}", resolved=True
                )
            return Hit(m.start(), stated, value=_iso(p - timedelta(days=n)), resolved=True)
        monday = p - timedelta(days=p.weekday())
        if kind == "lastweek":
            first = monday - timedelta(days=7)
            value = f"~{_iso(first)}/{_iso(first + timedelta(days=6))}"
        elif kind == "thisweek":
            value = f"~{_iso(monday)}/{_iso(p)}" if monday < p else f"~{_iso(p)}"
        elif kind == "lastmonth":
            y, mo = (p.year, p.month - 1) if p.month > 1 else (p.year - 1, 12)
            value = f"{y:04d}-{mo:02d}"
        elif kind == "thismonth":
            first = p.replace(day=1)
            value = f"~{_iso(first)}/{_iso(p)}" if first < p else f"~{_iso(p)}"
        elif kind == "lastyear":
            value = f"{p.year - 1:04d}"
        else:  # thisyear
            value = f"~{p.year:04d}-01-01/{_iso(p)}"
        return Hit(m.start(), stated, value=value, resolved=True)
