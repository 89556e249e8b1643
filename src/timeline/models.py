"""The curated data model (pydantic v2, unknown fields rejected). No I/O here."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from timeline.dates import PartialDate, shown

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120),
]
"""Ids are lowercase ASCII slugs: letters, digits and single hyphens (``nicolas-maduro``)."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
QID = Annotated[str, StringConstraints(pattern=r"^Q[1-9][0-9]*$")]

ActorKind = Literal[
    "person",
    "organization",
    "government",
    "agency",
    "ngo",
    "armed-forces",
    "armed-group",
    "media",
    "group",
    "country",
    "region",
    "city",
    "facility",
    "object",
]
PLACE_KINDS = frozenset({"country", "region", "city", "facility"})
ORGANIZATION_KINDS = frozenset(
    {"organization", "government", "agency", "ngo", "armed-forces", "armed-group", "media"}
)

EventType = Literal[
    "military-operation",
    "arrest",
    "transfer",
    "political-transition",
    "prisoner-release",
    "statement",
    "diplomacy",
    "security-warning",
    "protest",
    "legal-action",
    "economic-measure",
    "sanctions",
    "trial",
    "humanitarian",
    "theft",
    "attack",
    "investigation",
    "election",
    "accident",
    "other",
]

BUILTIN_TYPES: tuple[str, ...] = get_args(EventType)

TYPE_FAMILY: dict[str, str] = {
    "military-operation": "Security",
    "attack": "Security",
    "security-warning": "Security",
    "accident": "Security",
    "arrest": "Justice",
    "transfer": "Justice",
    "prisoner-release": "Justice",
    "legal-action": "Justice",
    "trial": "Justice",
    "investigation": "Justice",
    "theft": "Justice",
    "political-transition": "Politics",
    "statement": "Politics",
    "diplomacy": "Politics",
    "election": "Politics",
    "protest": "Politics",
    "economic-measure": "Economy",
    "sanctions": "Economy",
    "humanitarian": "Humanitarian",
    "other": "Other",
}
"""Each event type's family: the handful of groups a timeline's navigation shows."""

Role = Literal[
    "agent",
    "target",
    "affected",
    "beneficiary",
    "spokesperson",
    "location",
    "participant",
    "mediator",
    "subject",
]

RelationType = Literal[
    "vice-president-of",
    "president-of",
    "leader-of",
    "head-of",
    "member-of",
    "spouse-of",
    "aide-of",
    "ally-of",
    "spokesperson-for",
    "part-of",
    "located-in",
    "supported-by",
    "opposes",
]

EventStatus = Literal["occurred", "ongoing", "planned"]

Verdict = Literal["confirmed", "partially-confirmed", "unverified", "disputed", "refuted"]

Value = int | float | str


def _closed(value: PartialDate) -> PartialDate:
    if not value.known:
        raise ValueError(
            f"date '{value}' is open or unknown; here write a calendar date or a range "
            "(START/END), or leave the field out"
        )
    return value


ClosedDate = Annotated[PartialDate, AfterValidator(_closed)]
"""A date with both ends known: a source's publication, a relation's start and end."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(Model):
    """Where a fact comes from. `url` is optional: a clipping may have none."""

    id: Slug
    title: Text
    publisher: Text | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    published: ClosedDate | None = None
    retrieved: date | None = None
    note: Text | None = None


class Actor(Model):
    """A person, organisation or place with a stable slug id and every spelling of its name."""

    id: Slug
    name: Text
    kind: ActorKind
    aliases: list[Text] = Field(default_factory=list)
    description: Text | None = None
    same_as: list[QID] = Field(default_factory=list)
    media: list[Media] = Field(default_factory=list)
    review: list[Text] = Field(default_factory=list)
    """What a person must still check (a kind guessed by `timeline extract`): a draft while
    the list is not empty."""
    also: list[ActorKind] = Field(default_factory=list)
    """Secondary kinds: a museum that is an institution (`organization`) and a building
    (`facility`) is one actor with `kind: facility, also: [organization]`."""

    @property
    def category(self) -> Literal["person", "group", "organization", "place", "object"]:
        """The broad category: a person, a group of people, an organisation, a place, or an
        object (a thing: jewels, a ship, a document, a weapon)."""
        if self.kind == "object":
            return "object"
        if self.kind in PLACE_KINDS:
            return "place"
        if self.kind in ORGANIZATION_KINDS:
            return "organization"
        return "group" if self.kind == "group" else "person"

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    @property
    def kinds(self) -> list[str]:
        """The kind, then the secondary kinds."""
        return [self.kind, *(k for k in self.also if k != self.kind)]

    @property
    def is_place(self) -> bool:
        """A place by its kind or a secondary kind (a museum building is somewhere)."""
        return any(k in PLACE_KINDS for k in self.kinds)


IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif"})
"""What counts as an image: a local media file must be one, and an image needs its `alt`."""
MAX_MEDIA_BYTES = 5_000_000
"""The largest local media file the view embeds (it is one offline page)."""


def _relative_file(value: str) -> str:
    parts = value.replace("\\", "/").split("/")
    if value.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        raise ValueError(
            f"'{value}' is not a path inside the dataset's folder; write it relative to the "
            "YAML file, without '..', e.g. file: media/museum.jpg"
        )
    return value


class Media(Model):
    """A picture (or a video, sound or page by URL) on an event or an actor, with its credit.

    `url` is a web address; `file` a local image, relative to the YAML file that names it,
    which the offline view embeds. `alt` describes an image for who cannot see it."""

    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    file: Annotated[Text, AfterValidator(_relative_file)] | None = None
    credit: Text | None = None
    caption: Text | None = None
    alt: Text | None = None

    @model_validator(mode="after")
    def _one_place(self) -> Media:
        if (self.url is None) == (self.file is None):
            raise ValueError("give the media either a url or a file (one, not both)")
        if self.file is not None and not self.is_image:
            raise ValueError(
                f"a local media file must be an image ({', '.join(sorted(IMAGE_SUFFIXES))}); "
                "give other media by url"
            )
        if self.is_image and self.alt is None:
            raise ValueError(
                "an image needs alt text that says what it shows, e.g. alt: 'Police tape at "
                "the museum entrance'"
            )
        return self

    @property
    def is_image(self) -> bool:
        """An image by its name's suffix (``.jpg``, ``.png``, ...), query string aside."""
        where = (self.file or self.url or "").split("?", 1)[0].split("#", 1)[0].lower()
        return any(where.endswith(s) for s in IMAGE_SUFFIXES)

    @property
    def location(self) -> str:
        """The url, or the file as written."""
        return self.url or self.file or ""


UNITS = frozenset(
    "people persons pieces items km m cm kg g tonnes tons barrels litres liters percent % "
    "points votes seats hours minutes days weeks months years prisoners detainees deaths "
    "injured houses hectares acres km2 vehicles ships flights troops".split()
) | {"barrels per day", "km/h", "per cent"}
"""Units written as words that need no warning; currencies are ISO 4217 codes (EUR, USD)."""
CURRENCY_WORDS = {
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "$": "USD",
    "us dollars": "USD",
    "usd$": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "£": "GBP",
    "bolivar": "VES",
    "bolivars": "VES",
    "bolívares": "VES",
    "yen": "JPY",
    "yuan": "CNY",
    "rubles": "RUB",
    "roubles": "RUB",
    "francs": "CHF",
}
"""Currency words a writer may use, and the ISO 4217 code to write instead."""


def currency(unit: str) -> bool:
    """An ISO 4217 currency code (EUR, USD, VES), by pycountry's list."""
    if len(unit) != 3 or not unit.isupper():
        return False
    import pycountry

    return pycountry.currencies.get(alpha_3=unit) is not None


def check_unit(value: Any, unit: str | None) -> None:
    """A value with a unit is a number, and a currency is written as its code."""
    if unit is None:
        return
    code = CURRENCY_WORDS.get(unit.strip().lower())
    if code:
        raise ValueError(f"unit '{unit}' is a currency: write its ISO 4217 code, {code}")
    if isinstance(value, str):
        raise ValueError(
            f"value '{value}' has a unit, so it is a number: write 88000000, not '88 million' "
            "(approximate: true says it is rounded)"
        )


def unit_warning(unit: str | None) -> str | None:
    """Why a unit may be a typo: neither a currency code nor a unit of the short list."""
    if unit is None or currency(unit) or unit.lower() in UNITS:
        return None
    return (
        f"unit '{unit}' is neither an ISO 4217 currency code nor a known unit "
        f"({', '.join(sorted(UNITS)[:8])}, ...); kept as written"
    )


def _number(value: Any) -> int | float:
    """A count or an amount: an int or a finite float (a numeric string is read as one)."""
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValueError(
            f"quantity value {shown(repr(value))} is not a number; write digits "
            "(4, 88000000, 1.5), and what is counted in `of`"
        )
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        raise ValueError("quantity value is infinite; write digits (4, 88000000, 1.5)")
    return value


Number = Annotated[int | float, PlainValidator(_number)]


class Quantity(Model):
    """A count or an amount the story states as fact ("eight pieces", "four thieves")."""

    value: Number
    unit: Text | None = None
    of: Text
    """What is counted or measured: "pieces of jewellery", "thieves"."""
    approximate: bool = False

    @model_validator(mode="after")
    def _typed(self) -> Quantity:
        check_unit(self.value, self.unit)
        return self


class Participant(Model):
    actor: Slug
    role: Role
    place: Slug | None = None
    """Where this participant took part, when not where the whole event did ("one suspect was
    arrested at the airport")."""


class Quote(Model):
    """Something said, with who said it; `paraphrase` marks words that are not verbatim."""

    text: Text
    speaker: Slug | None = None
    paraphrase: bool = False
    sources: list[Slug] = Field(default_factory=list)


class RelativeDate(Model):
    """A date stated relative to another event ("last week", "later"), resolved when the data
    loads.

    The window runs from `from_days` to `to_days` after the anchor event's earliest day
    (negative numbers are before it); the resolved date is an approximate range. Leave out
    `to_days` for an open end ("later": on or after), or `from_days` for an open start
    ("earlier": on or before).
    """

    relative_to: Slug
    from_days: int | None = Field(default=None, ge=-36_600, le=36_600)
    to_days: int | None = Field(default=None, ge=-36_600, le=36_600)
    as_stated: Text

    def resolve(self, anchor: PartialDate) -> PartialDate:
        from datetime import timedelta

        day = anchor.day
        assert day is not None and anchor.known, "anchored on an open or unknown date"
        kw: dict[str, Any] = {"relative_to": self.relative_to, "as_stated": self.as_stated}
        if self.to_days is None:
            assert self.from_days is not None
            first = anchor.earliest + timedelta(days=self.from_days)
            return PartialDate(first.isoformat(), open="after", **kw)
        last = anchor.earliest + timedelta(days=self.to_days)
        if self.from_days is None:
            return PartialDate(last.isoformat(), open="before", **kw)
        first = anchor.earliest + timedelta(days=self.from_days)
        return PartialDate.from_days(first, last, approximate=True, **kw)


def _event_date(value: Any) -> PartialDate | RelativeDate:
    if isinstance(value, PartialDate | RelativeDate):
        return value
    if isinstance(value, dict):
        try:
            rel = RelativeDate.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(
                f"relative date: {where or 'value'}: {first['msg']}; write "
                "{relative_to: EVENT-ID, from_days: -7, to_days: -1, as_stated: 'last week'}"
            ) from None
        if rel.from_days is None and rel.to_days is None:
            raise ValueError(
                "relative date has neither from_days nor to_days; write from_days: 1 alone for "
                "'later' (on or after), to_days: -1 alone for 'earlier', or both for a window"
            )
        if rel.from_days is not None and rel.to_days is not None and rel.to_days < rel.from_days:
            raise ValueError(
                f"relative date window ends (to_days {rel.to_days}) before it starts "
                f"(from_days {rel.from_days}); write the smaller number in from_days"
            )
        return rel
    return PartialDate.parse(value)


EventDate = Annotated[PartialDate | RelativeDate, PlainValidator(_event_date)]


def _nonempty(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("cite at least one source id, e.g. sources: [story]")
    return values


Sources = Annotated[list[Slug], AfterValidator(_nonempty)]


class Event(Model):
    """Something that happened. Events are graph nodes; participants attach with a role."""

    id: Slug
    title: Text
    date: EventDate
    type: Slug
    """One of the event types (`EventType`), or a type the dataset declares under
    `dataset: event_types` (the loader checks which)."""
    summary: Text
    places: list[Slug] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    sources: Sources
    part_of: Slug | None = None
    follows: list[Slug] = Field(default_factory=list)
    caused_by: list[Slug] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    date_note: Text | None = None
    status: EventStatus = "occurred"
    media: list[Media] = Field(default_factory=list)
    review: list[Text] = Field(default_factory=list)
    """What a person must still check (a guessed type, a resolved relative date, a summary to
    write): a draft while the list is not empty."""
    quantities: list[Quantity] = Field(default_factory=list)
    duplicate_of: Slug | None = None
    """An existing event this one may restate (`timeline extract` marks it; `merge` leaves it
    out unless asked)."""

    @property
    def when(self) -> PartialDate:
        """The resolved date (the loader resolves relative dates before anyone sees them)."""
        assert isinstance(self.date, PartialDate), "relative date not resolved"
        return self.date

    @property
    def text(self) -> str:
        """The text that entity extraction reads: title, summary and quotes, one per line."""
        return "\n".join([self.title, self.summary, *(q.text for q in self.quotes)])


class Verification(Model):
    """Someone else's check of a claim: a value or a verdict, with its source."""

    by: Slug
    value: Value | None = None
    approximate: bool = False
    verdict: Verdict
    date: PartialDate | None = None
    sources: Sources
    note: Text | None = None


class Claim(Model):
    """A statement or quantity as someone claims it, with any verifications beside it."""

    id: Slug
    about: Slug | None = None
    statement: Text
    claimed_by: Slug
    value: Value | None = None
    unit: Text | None = None
    approximate: bool = False
    date: PartialDate | None = None
    sources: Sources
    verifications: list[Verification] = Field(default_factory=list)

    @model_validator(mode="after")
    def _typed(self) -> Claim:
        check_unit(self.value, self.unit)
        for v in self.verifications:
            check_unit(v.value, self.unit)
        return self

    def disagreements(self) -> list[Verification]:
        """Verifications whose value differs from the claimed value."""
        if self.value is None:
            return [v for v in self.verifications if v.verdict in ("disputed", "refuted")]
        return [
            v
            for v in self.verifications
            if (v.value is not None and v.value != self.value)
            or v.verdict in ("disputed", "refuted")
        ]


class Relation(Model):
    """A typed, sourced relation between two actors, optionally bounded in time."""

    id: Slug | None = None
    subject: Slug
    type: RelationType
    object: Slug
    start: ClosedDate | None = None
    end: ClosedDate | None = None
    ended: bool = False
    """The relation is over though its end is not known (a "former" vice president)."""
    sources: Sources
    note: Text | None = None

    @property
    def key(self) -> str:
        return self.id or f"{self.subject}--{self.type}--{self.object}"


class DatasetInfo(Model):
    id: Slug | None = None
    """The dataset's identity (default: its title as a slug): the named graph `timeline push`
    writes by default, and the owner a store records for that graph."""
    title: Text = "timeline"
    description: Text | None = None
    base: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9+.-]*:\S*[/#]$")] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")] = "en"
    event_types: dict[Slug, EventType] = Field(default_factory=dict)
    """The dataset's own event types, each under one of ours (``heist: theft``): a newsroom
    extends the vocabulary without code; the ontology, the view and the exports treat each as
    its parent where they need one of ours."""
    ner: Literal["gazetteer", "model", "none"] | None = None
    """The entity-extraction pipeline this dataset is built with (`--ner` overrides it)."""


class Dataset(Model):
    """A whole, validated and cross-checked dataset. Relative event dates are resolved."""

    dataset: DatasetInfo = DatasetInfo()
    sources: list[Source] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    _indexes: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)
    _media: dict[str, str] = PrivateAttr(default_factory=dict)
    _warnings: list[str] = PrivateAttr(default_factory=list)
    """Where each local media file is (file as written -> path), found by the loader."""

    def __eq__(self, other: object) -> bool:
        """The same data: the lookup indexes, made on first use, do not count."""
        if not isinstance(other, Dataset):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable, as every pydantic model

    def actor(self, actor_id: str) -> Actor:
        return self._index("actors")[actor_id]

    def event(self, event_id: str) -> Event:
        return self._index("events")[event_id]

    def source(self, source_id: str) -> Source:
        return self._index("sources")[source_id]

    def _index(self, name: str) -> dict[str, Any]:
        if name not in self._indexes:
            self._indexes[name] = {item.id: item for item in getattr(self, name)}
        return self._indexes[name]

    @property
    def warnings(self) -> list[str]:
        """What the loader kept but a person may want to fix (a unit it does not know), each
        with its file:line:column."""
        return list(self._warnings)

    def media_files(self) -> dict[str, str]:
        """Every local media file the dataset names (file as written -> path on disk)."""
        return dict(self._media)

    def participant_text(self, p: Participant) -> str:
        """``a suspect (target, at City Airport)``: a participant as the exports write it."""
        where = f", at {self.actor(p.place).name}" if p.place else ""
        return f"{self.actor(p.actor).name} ({p.role}{where})"

    def base_type(self, event_type: str) -> str:
        """The built-in type of an event type: itself, or the parent a dataset declared."""
        return self.dataset.event_types.get(event_type, event_type)

    def family(self, event_type: str) -> str:
        """The type family (Security, Justice, ...) of any event type, declared ones too."""
        return TYPE_FAMILY.get(self.base_type(event_type), "Other")

    def events_by_date(self) -> list[Event]:
        return sorted(self.events, key=lambda e: (e.when.sort_key, e.id))

    @property
    def identity(self) -> str:
        """`dataset.id`, else the title as a slug (``venezuela-after-maduro-s-capture``)."""
        from timeline.names import fold

        return self.dataset.id or fold(self.dataset.title) or "timeline"

    def summary(self) -> str:
        """``32 events, 39 actors, 1 source, 6 claims, 30 relations``."""
        counts = (
            (len(self.events), "event"),
            (len(self.actors), "actor"),
            (len(self.sources), "source"),
            (len(self.claims), "claim"),
            (len(self.relations), "relation"),
        )
        return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts)


TOP_LEVEL: dict[str, type[Model]] = {
    "dataset": DatasetInfo,
    "sources": Source,
    "actors": Actor,
    "events": Event,
    "claims": Claim,
    "relations": Relation,
}
