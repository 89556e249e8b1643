"""Realistic synthetic datasets in the project's YAML format, deterministic from a seed.

The data looks like the curated file: people with accented names and unaccented aliases,
organisations with acronyms, places (countries, cities, facilities), events with dates of every
precision (day, month, year, approximate, ranges, relative to another event), participants with
roles, quotes, sources with publishers and addresses, claims with verifications, and relations.
Summaries run to news length and mention actors by name or alias, including actors that are not
listed as participants, so entity extraction and linking have real work to do.

    python bench/synth.py 10000 -o /tmp/events-10k.yaml
    python bench/synth.py 10000 -o /tmp/events-10k/ --per-file 1000   # a folder of files

In Python: ``generate(n_events, seed=0) -> str`` (one YAML document) and
``generate_files(n_events, seed=0, per_file=1000) -> dict[str, str]`` (file name -> YAML).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import unicodedata
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

FIRST = (
    "José María Nicolás Delcy Jorge Ana Luis Sofía Andrés Camila Raúl Inés Gabriel Lucía Óscar "
    "Elena Héctor Beatriz Iván Marta Tomás Adriana Julián Mónica Sebastián Verónica Martín "
    "Rocío Joaquín Begoña François Chloé Jürgen Søren Łukasz Ayşe João Thiago Renée Zoë Diego "
    "Valentina Mateo Isabel Ramón Leonor Rubén Pilar Ángel Noemí"
).split()
SURNAMES = (
    "Rodríguez Pérez González Martínez Hernández López García Díaz Sánchez Ramírez Cabello "
    "Núñez Ibáñez Muñoz Peña Márquez Gómez Álvarez Suárez Domínguez Castillo Ortega Vargas "
    "Rojas Mendoza Guzmán Fernández Jiménez Müller Dubois Kowalski Öztürk Carrasco Beltrán "
    "Salazar Quintero Chávez Córdoba Zambrano Maldonado Urdaneta Briceño Padrón Acuña Echeverría "
    "Villalobos Lozada Ferrer Aguilar Montes"
).split()
COUNTRIES = [
    ("Venezuela", "Venezuelan"),
    ("Colombia", "Colombian"),
    ("Perú", "Peruvian"),
    ("México", "Mexican"),
    ("Panamá", "Panamanian"),
    ("Brasil", "Brazilian"),
    ("Ecuador", "Ecuadorian"),
    ("Bolivia", "Bolivian"),
    ("Chile", "Chilean"),
    ("Argentina", "Argentine"),
    ("Cuba", "Cuban"),
    ("Haití", "Haitian"),
    ("República Dominicana", "Dominican"),
    ("Costa Rica", "Costa Rican"),
    ("Nicaragua", "Nicaraguan"),
    ("Honduras", "Honduran"),
    ("Guatemala", "Guatemalan"),
    ("Paraguay", "Paraguayan"),
    ("Uruguay", "Uruguayan"),
    ("United States", "American"),
    ("España", "Spanish"),
    ("Portugal", "Portuguese"),
    ("France", "French"),
    ("Deutschland", "German"),
    ("Türkiye", "Turkish"),
]
CITY_NAMES = [
    "Caracas",
    "Bogotá",
    "Mérida",
    "Maracaibo",
    "Valencia",
    "Barquisimeto",
    "Cúcuta",
    "Medellín",
    "Cali",
    "Cartagena",
    "Lima",
    "Cusco",
    "Arequipa",
    "Ciudad de México",
    "Querétaro",
    "Monterrey",
    "Colón",
    "São Paulo",
    "Brasília",
    "Manaus",
    "Quito",
    "Guayaquil",
    "La Paz",
    "Santa Cruz",
    "Santiago",
    "Valparaíso",
    "Buenos Aires",
    "Córdoba",
    "Rosario",
    "La Habana",
    "Santiago de Cuba",
    "Puerto Príncipe",
    "Santo Domingo",
    "San José",
    "Managua",
    "Tegucigalpa",
    "Asunción",
    "Montevideo",
    "Miami",
    "Washington",
    "Madrid",
    "Sevilla",
    "Lisboa",
    "Porto",
    "Paris",
    "Lyon",
    "Berlin",
    "München",
    "Ankara",
    "İstanbul",
    "Ciudad Bolívar",
    "Puerto Ordaz",
    "Maturín",
    "San Cristóbal",
]
FACILITY_KINDS = [
    ("{city} Central Prison", "prison of {city}"),
    ("{city} International Airport", "{city} airport"),
    ("Port of {city}", "{city} port"),
    ("{city} Military Base", "{city} base"),
    ("Palacio de Justicia de {city}", "{city} courthouse"),
]
ORG_PATTERNS = [
    ("Ministry of Defence of {country}", "government", "{adj} defence ministry"),
    ("Ministry of Foreign Affairs of {country}", "government", "{adj} foreign ministry"),
    ("National Assembly of {country}", "government", "{adj} parliament"),
    ("Supreme Court of {country}", "agency", "{adj} Supreme Court"),
    ("{adj} National Police", "agency", "{adj} police"),
    ("{adj} Armed Forces", "armed-forces", "{adj} military"),
    ("Comité por la Libertad de {city}", "ngo", "Libertad {city}"),
    ("Fundación {surname} para los Derechos Humanos", "ngo", "Fundación {surname}"),
    ("Observatorio de Prisiones de {city}", "ngo", "observatory in {city}"),
    ("Diario de {city}", "media", "the {city} daily"),
    ("Radio {surname} Noticias", "media", "Radio {surname}"),
    ("Colectivo {surname}", "armed-group", "the {surname} colectivo"),
    ("{surname} Petróleos", "organization", "{surname} oil company"),
    ("Banco Central de {country}", "agency", "{adj} central bank"),
]
TITLES = ["President", "Minister", "General", "Judge", "Governor", "Mayor", "Deputy", "Senator"]
PUBLISHERS = [
    "Agencia Latina de Noticias",
    "Wire Service International",
    "El Observador",
    "La Crónica",
    "The Hemisphere Review",
    "Noticias del Sur",
    "Radio Continental",
    "Diario Económico",
]
ROLES_BY_TYPE = {
    "military-operation": ("agent", "target", "affected", "location"),
    "arrest": ("agent", "target", "affected"),
    "transfer": ("agent", "target", "participant"),
    "political-transition": ("agent", "beneficiary", "participant"),
    "prisoner-release": ("agent", "beneficiary", "mediator"),
    "statement": ("spokesperson", "agent", "target"),
    "diplomacy": ("agent", "participant", "mediator"),
    "security-warning": ("agent", "affected"),
    "protest": ("agent", "target", "participant"),
    "legal-action": ("agent", "target", "participant"),
    "economic-measure": ("agent", "beneficiary", "affected"),
    "sanctions": ("agent", "target", "affected"),
    "trial": ("agent", "target", "participant"),
    "humanitarian": ("agent", "beneficiary", "affected"),
    "other": ("participant", "agent", "affected"),
}
EVENT_TYPES = list(ROLES_BY_TYPE)
VERBS = {
    "military-operation": ("launch a raid against", "raid", "operation"),
    "arrest": ("detain", "arrest", "arrest"),
    "transfer": ("transfer", "transferred", "transfer"),
    "political-transition": ("hand power to", "take office alongside", "transition"),
    "prisoner-release": ("free prisoners held by", "release detainees linked to", "release"),
    "statement": ("issue a statement on", "speak about", "statement"),
    "diplomacy": ("meet", "hold talks with", "talks"),
    "security-warning": ("warn", "issue a security alert about", "warning"),
    "protest": ("protest against", "march against", "protest"),
    "legal-action": ("file charges against", "sue", "case"),
    "economic-measure": ("announce an oil deal with", "ease restrictions on", "measure"),
    "sanctions": ("impose sanctions on", "freeze the assets of", "sanctions"),
    "trial": ("put on trial", "open hearings against", "trial"),
    "humanitarian": ("deliver aid with", "open a shelter with", "aid operation"),
    "other": ("appear with", "meet with", "meeting"),
}
SENTENCES = [
    "{a} moved to {v} {b} in {p}, according to officials who spoke on condition of anonymity.",
    "The {n} followed weeks of pressure from {c}, which had demanded action since {month}.",
    '{b} did not respond to requests for comment, while {a} called it "a necessary step".',
    "Witnesses in {p} described crowds gathering near {f} as news of the {n} spread.",
    "{c} said the {n} was illegal and promised to take the matter to {d}.",
    "Officials close to {a} told reporters that talks with {b} would continue in {p}.",
    "The {n} came days after {d} accused {b} of holding dozens of people without trial.",
    "Analysts said the move strengthened {a}'s position ahead of negotiations with {c}.",
    "Relatives of those affected waited outside {f} for news, some of them for several days.",
    "{d} welcomed the {n} but warned that hundreds of cases remained unresolved.",
    "Local media in {p} reported that {b} had been informed only hours before the {n}.",
    "It was the third such {n} this year, and observers expect more before {month} ends.",
]
QUOTES = [
    "We will not accept any interference in our internal affairs.",
    "This is a first step, and more releases will follow in the coming days.",
    "Our families have waited years for this moment.",
    "The charges are politically motivated and we will contest every one of them.",
    "Nobody should travel to the region until the situation is clear.",
    "We are working with our partners to bring everyone home.",
    'The "so-called" agreement changes nothing for the people still in prison.',
]
MONTHS = (
    "January February March April May June July August September October November December".split()
)
UNITS = ["people", "prisoners", "barrels per day", "USD", "detainees", "percent"]

_PLAIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žİıŁłŞşÇçÜüÖöÆæØøÅå][^:#\n\"'\[\]{},&*!|>%@`]*")
_RESERVED = re.compile(r"(?i)(y|yes|n|no|true|false|on|off|null|~)")


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def _third(verb: str) -> str:
    """'hold talks with' -> 'holds talks with' (the title's present tense)."""
    first, _, rest = verb.partition(" ")
    if first.endswith(("s", "sh", "ch", "x")):
        first += "es"
    elif first.endswith("y") and first[-2:-1] not in "aeiou":
        first = first[:-1] + "ies"
    else:
        first += "s"
    return f"{first} {rest}".rstrip()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _q(text: str) -> str:
    """A YAML scalar: plain when it is unambiguous text, double-quoted (JSON escapes) if not."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and not _RESERVED.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(items: list[str]) -> str:
    return (
        "["
        + ", ".join(
            t if _PLAIN.fullmatch(t) and "," not in t else json.dumps(t, ensure_ascii=False)
            for t in items
        )
        + "]"
    )


def _folded(key: str, text: str, indent: int) -> str:
    """`key: >-` and the text wrapped at about 90 columns, as curators write long text."""
    pad = " " * indent
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > 90 - indent:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return f"{key}: >-\n" + "".join(f"{pad}{ln}\n" for ln in lines)


@dataclass
class _Actor:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    mention: list[str] = field(default_factory=list)  # the forms summaries use


class _Generator:
    def __init__(self, n_events: int, seed: int) -> None:
        self.n = n_events
        self.rng = random.Random(seed)
        self.ids: set[str] = set()

    def unique_id(self, base: str) -> str:
        base = _slug(base[:80]) or "item"
        ident, k = base, 1
        while ident in self.ids:
            k += 1
            ident = f"{base}-{k}"
        self.ids.add(ident)
        return ident

    # --- actors --------------------------------------------------------------------------

    def actors(self) -> None:
        rng = self.rng
        n_actors = 40 + self.n // 20
        self.countries: list[_Actor] = []
        self.cities: list[_Actor] = []
        self.facilities: list[_Actor] = []
        self.people: list[_Actor] = []
        self.orgs: list[_Actor] = []
        for name, _adj in COUNTRIES:
            folded = _fold(name)
            aliases = [folded] if folded != name else []
            self.countries.append(
                _Actor(self.unique_id(_slug(name)), name, "country", aliases, [name, *aliases])
            )
        for name in CITY_NAMES:
            folded = _fold(name)
            aliases = [folded] if folded != name else []
            self.cities.append(
                _Actor(self.unique_id(_slug(name)), name, "city", aliases, [name, *aliases])
            )
        n_fac = max(5, n_actors // 15)
        for _ in range(n_fac):
            city = rng.choice(self.cities).name
            pattern, alias = rng.choice(FACILITY_KINDS)
            name = pattern.format(city=city)
            if any(f.name == name for f in self.facilities[-50:]):
                name = f"{name} {rng.choice(['North', 'South', 'East', 'West', 'Annex'])}"
            al = alias.format(city=city)
            self.facilities.append(
                _Actor(self.unique_id(_slug(name)), name, "facility", [al], [name, al])
            )
        n_orgs = max(10, n_actors // 4)
        seen_names: set[str] = set()
        for _ in range(n_orgs):
            pattern, kind, alias = rng.choice(ORG_PATTERNS)
            country, adj = rng.choice(COUNTRIES)
            fill = {
                "country": country,
                "adj": adj,
                "city": rng.choice(self.cities).name,
                "surname": rng.choice(SURNAMES),
            }
            name = pattern.format(**fill)
            if name in seen_names:
                name = f"{name} ({rng.choice(self.cities).name})"
            if name in seen_names:
                continue
            seen_names.add(name)
            acronym = "".join(w[0] for w in re.findall(r"[A-ZÁÉÍÓÚÑÖÜ][\w]+", name)).upper()
            aliases = [alias.format(**fill)]
            if len(acronym) >= 3:
                aliases.append(_fold(acronym))
            if _fold(name) != name:
                aliases.append(_fold(name))
            self.orgs.append(
                _Actor(
                    self.unique_id(_slug(name)),
                    name,
                    kind,
                    aliases,
                    [name, aliases[0], *(aliases[1:2] if len(acronym) >= 3 else [])],
                )
            )
        n_people = max(10, n_actors - n_orgs - n_fac - len(self.countries) - len(self.cities))
        seen_names.clear()
        while len(self.people) < n_people:
            first, last = rng.choice(FIRST), rng.choice(SURNAMES)
            name = f"{first} {last}"
            if name in seen_names:
                name = f"{first} {last} {rng.choice(SURNAMES)}"
            if name in seen_names:
                continue
            seen_names.add(name)
            aliases: list[str] = []
            if _fold(name) != name:
                aliases.append(_fold(name))
            aliases.append(last)
            if rng.random() < 0.3:
                aliases.append(f"{rng.choice(TITLES)} {last}")
            self.people.append(
                _Actor(self.unique_id(_slug(name)), name, "person", aliases, [name, *aliases])
            )
        self.places = self.countries + self.cities + self.facilities
        self.all_actors = self.people + self.orgs + self.places
        # A few actors are in the news all the time, most rarely: Zipf-like weights.
        self.agents = self.people + self.orgs
        self.agent_cum = list(accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(self.agents))))
        self.place_cum = list(accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(self.places))))
        self.descriptions = {
            a.id: self.description(a) for a in self.all_actors if rng.random() < 0.6
        }
        self.same_as = {
            a.id: f"Q{rng.randint(1, 99_999_999)}" for a in self.all_actors if rng.random() < 0.15
        }

    def description(self, a: _Actor) -> str:
        rng = self.rng
        if a.kind == "person":
            org = rng.choice(self.orgs).name
            return rng.choice(
                [
                    f"Senior official of the {org}, often quoted on detentions.",
                    f"Opposition figure and former adviser to the {org}.",
                    f"Lawyer who represents several detainees before the {org}.",
                ]
            )
        if a.kind in ("country", "city", "facility"):
            return f"{a.name}, where several of the events take place."
        return f"{a.name}, active in the region since the {rng.choice([1990, 2000, 2010])}s."

    def agent(self) -> _Actor:
        r = self.rng.random() * self.agent_cum[-1]
        return self.agents[min(bisect(self.agent_cum, r), len(self.agents) - 1)]

    def place(self) -> _Actor:
        r = self.rng.random() * self.place_cum[-1]
        return self.places[min(bisect(self.place_cum, r), len(self.places) - 1)]

    # --- sources -------------------------------------------------------------------------

    def sources(self) -> list[str]:
        rng = self.rng
        out = []
        self.source_ids: list[str] = []
        for i in range(1 + self.n // 50):
            publisher = rng.choice(PUBLISHERS)
            day = date(2000, 1, 1) + timedelta(days=rng.randrange(9500))
            sid = self.unique_id(f"{_slug(publisher)}-{day.isoformat()}-{i}")
            self.source_ids.append(sid)
            title = f"{publisher} report of {day.day} {MONTHS[day.month - 1]} {day.year}"
            lines = [f"  - id: {sid}\n", f"    title: {_q(title)}\n"]
            if rng.random() < 0.9:
                lines.append(f"    publisher: {_q(publisher)}\n")
            if rng.random() < 0.8:
                lines.append(
                    f"    url: https://news.example.org/{_slug(publisher)}/"
                    f"{day.isoformat()}/{sid}?page={i % 7}\n"
                )
            precision = rng.random()
            pub = day.isoformat() if precision < 0.8 else day.isoformat()[:7]
            lines.append(f'    published: "{pub}"\n')
            if rng.random() < 0.5:
                lines.append(f"    retrieved: {(day + timedelta(days=rng.randrange(1, 400)))}\n")
            if rng.random() < 0.1:
                lines.append("    note: Translated from Spanish by the curators.\n")
            out.append("".join(lines))
        return out

    def actor_items(self) -> list[str]:
        out = []
        for a in self.all_actors:
            lines = [f"  - id: {a.id}\n", f"    name: {_q(a.name)}\n", f"    kind: {a.kind}\n"]
            if a.aliases:
                lines.append(f"    aliases: {_flow(a.aliases)}\n")
            if a.id in self.descriptions:
                lines.append("    " + _folded("description", self.descriptions[a.id], 6))
            if a.id in self.same_as:
                lines.append(f"    same_as: [{self.same_as[a.id]}]\n")
            out.append("".join(lines))
        return out

    # --- events --------------------------------------------------------------------------

    def date(self, i: int) -> tuple[str, date]:
        """A date of some precision as YAML text, and its earliest day (for anchoring)."""
        rng = self.rng
        day = date(1995, 1, 1) + timedelta(days=rng.randrange(11_300))
        r = rng.random()
        if r < 0.05 and i > 0:
            anchor = rng.randrange(max(0, i - 200), i)
            span = rng.choice(
                [
                    (-8, -2, "last week"),
                    (1, 3, "days later"),
                    (-30, -1, "earlier this month"),
                    (2, 8, "the following week"),
                    (-1, -1, "the day before"),
                ]
            )
            self.relative += 1
            return (
                "{relative_to: " + self.event_ids[anchor] + f", from_days: {span[0]}, "
                f"to_days: {span[1]}, as_stated: {span[2]}}}",
                day,
            )
        if r < 0.45:
            return f'"{day.isoformat()}"', day
        if r < 0.62:
            return f'"{day.isoformat()[:7]}"', day.replace(day=1)
        if r < 0.70:
            return f'"{day.year}"', date(day.year, 1, 1)
        if r < 0.80:
            text = rng.choice([day.isoformat(), day.isoformat()[:7], str(day.year)])
            return f'"~{text}"', day
        if r < 0.90:
            end = day + timedelta(days=rng.randrange(1, 20))
            return f'"{day.isoformat()}/{end.isoformat()}"', day
        if r < 0.96:
            end = day + timedelta(days=rng.randrange(31, 400))
            return f'"{day.isoformat()[:7]}/{end.isoformat()[:7]}"', day
        return f'"~{day.year}/{day.year + rng.randrange(1, 6)}"', date(day.year, 1, 1)

    def events(self) -> list[str]:
        rng = self.rng
        out = []
        self.event_ids: list[str] = []
        self.relative = 0
        for i in range(self.n):
            etype = rng.choice(EVENT_TYPES)
            roles = ROLES_BY_TYPE[etype]
            k = rng.choice((1, 2, 2, 2, 3, 3, 4))
            chosen: list[_Actor] = []
            while len(chosen) < k:
                a = self.agent()
                if a not in chosen:
                    chosen.append(a)
            places = [self.place()] if rng.random() < 0.7 else []
            if places and rng.random() < 0.2 and places[0].kind != "country":
                places.append(rng.choice(self.countries))
            where = places[0] if places else self.place()
            others = [self.agent(), self.agent()]  # mentioned in the text, not participants
            facility = rng.choice(self.facilities)
            a, b = chosen[0], chosen[-1] if len(chosen) > 1 else others[0]
            verb, verb2, noun = VERBS[etype]
            action = rng.choice((verb, verb2))
            action = f"plans to {action}" if rng.random() < 0.1 else _third(action)
            title = (
                f"{rng.choice(a.mention)} {action} {rng.choice(b.mention)} "
                f"in {rng.choice(where.mention)}"
            )
            ident = self.unique_id(f"{_slug(title)[:60]}-{i + 1}")
            self.event_ids.append(ident)
            when, first_day = self.date(i)
            fill = {
                "a": rng.choice(a.mention),
                "b": rng.choice(b.mention),
                "c": rng.choice(others[0].mention),
                "d": rng.choice(others[1].mention),
                "p": rng.choice(where.mention),
                "f": rng.choice(facility.mention),
                "v": verb,
                "n": noun,
                "month": MONTHS[first_day.month - 1],
            }
            n_sent = rng.choice((2, 3, 3, 4, 4, 5, 6))
            sentences = rng.sample(SENTENCES, n_sent)
            summary = " ".join(s.format(**fill) for s in sentences)
            summary = summary[0].upper() + summary[1:]
            lines = [
                f"  - id: {ident}\n",
                f"    title: {_q(title[0].upper() + title[1:])}\n",
                f"    date: {when}\n",
                f"    type: {etype}\n",
                "    " + _folded("summary", summary, 6),
            ]
            if rng.random() < 0.08:
                lines.append("    date_note: The report gives only an approximate date.\n")
            if places:
                lines.append(f"    places: {_flow([p.id for p in places])}\n")
            lines.append("    participants:\n")
            used: set[tuple[str, str]] = set()
            for j, actor in enumerate(chosen):
                role = roles[min(j, len(roles) - 1)] if rng.random() < 0.8 else rng.choice(roles)
                if role == "location" or (actor.id, role) in used:
                    role = "participant"
                if (actor.id, role) in used:
                    continue
                used.add((actor.id, role))
                lines.append(f"      - {{actor: {actor.id}, role: {role}}}\n")
            srcs = sorted(
                set(
                    rng.sample(
                        self.source_ids, min(len(self.source_ids), rng.choice((1, 1, 1, 2, 3)))
                    )
                )
            )
            lines.append(f"    sources: {_flow(srcs)}\n")
            if i > 0 and rng.random() < 0.1:
                lines.append(f"    part_of: {self.event_ids[rng.randrange(max(0, i - 500), i)]}\n")
            if i > 0 and rng.random() < 0.2:
                lines.append(f"    follows: [{self.event_ids[rng.randrange(max(0, i - 50), i)]}]\n")
            if i > 1 and rng.random() < 0.1:
                picks = sorted(
                    {
                        self.event_ids[rng.randrange(max(0, i - 300), i)]
                        for _ in range(rng.choice((1, 2)))
                    }
                )
                lines.append(f"    caused_by: {_flow(picks)}\n")
            if rng.random() < 0.2:
                lines.append("    quotes:\n")
                for _ in range(rng.choice((1, 1, 2))):
                    lines.append(f"      - text: {_q(rng.choice(QUOTES))}\n")
                    lines.append(f"        speaker: {rng.choice(chosen).id}\n")
                    if rng.random() < 0.4:
                        lines.append("        paraphrase: true\n")
                    if rng.random() < 0.3:
                        lines.append(f"        sources: [{srcs[0]}]\n")
            out.append("".join(lines))
        return out

    # --- claims and relations ------------------------------------------------------------

    def claims(self) -> list[str]:
        rng = self.rng
        out = []
        verdicts = ["confirmed", "partially-confirmed", "unverified", "disputed", "refuted"]
        for i in range(self.n // 10):
            about = self.event_ids[rng.randrange(self.n)]
            by = self.agent()
            unit = rng.choice(UNITS)
            value = rng.randint(1, 5000)
            cid = self.unique_id(f"{by.id[:40]}-claim-{i + 1}")
            lines = [
                f"  - id: {cid}\n",
                f"    about: {about}\n",
                f"    statement: {_q(f'{by.name} says {value} {unit} were affected')}\n",
                f"    claimed_by: {by.id}\n",
            ]
            if rng.random() < 0.85:
                lines.append(f"    value: {value}\n    unit: {_q(unit)}\n")
            if rng.random() < 0.3:
                lines.append("    approximate: true\n")
            if rng.random() < 0.7:
                day = date(1995, 1, 1) + timedelta(days=rng.randrange(11_300))
                lines.append(f'    date: "{day.isoformat()}"\n')
            lines.append(f"    sources: [{rng.choice(self.source_ids)}]\n")
            n_ver = rng.choice((0, 1, 1, 2))
            if n_ver:
                lines.append("    verifications:\n")
            for _ in range(n_ver):
                lines.append(f"      - by: {self.agent().id}\n")
                if rng.random() < 0.6:
                    lines.append(f"        value: {max(1, value + rng.randint(-300, 300))}\n")
                lines.append(f"        verdict: {rng.choice(verdicts)}\n")
                lines.append(f"        sources: [{rng.choice(self.source_ids)}]\n")
                if rng.random() < 0.3:
                    lines.append("        note: The figure counts only cases it could confirm.\n")
            out.append("".join(lines))
        return out

    def relations(self) -> list[str]:
        rng = self.rng
        out = []
        keys: set[str] = set()

        def add(subject: _Actor, rtype: str, obj: _Actor) -> None:
            key = f"{subject.id}--{rtype}--{obj.id}"
            if subject.id == obj.id or key in keys:
                return
            keys.add(key)
            lines = [
                f"  - subject: {subject.id}\n",
                f"    type: {rtype}\n",
                f"    object: {obj.id}\n",
            ]
            if rng.random() < 0.4:
                start = 1990 + rng.randrange(30)
                lines.append(f'    start: "{start}-{rng.randint(1, 12):02d}"\n')
                if rng.random() < 0.4:
                    lines.append(f'    end: "{start + rng.randrange(1, 8)}"\n')
            lines.append(f"    sources: [{rng.choice(self.source_ids)}]\n")
            if rng.random() < 0.1:
                lines.append("    note: Reported by several outlets; dates are approximate.\n")
            out.append("".join(lines))

        for c in self.cities + self.facilities:
            add(c, "located-in", rng.choice(self.countries if c.kind == "city" else self.cities))
        for o in self.orgs:
            add(o, "part-of", rng.choice(self.orgs)) if rng.random() < 0.3 else None
        for p in self.people:
            r = rng.random()
            if r < 0.5:
                add(
                    p,
                    rng.choice(["member-of", "leader-of", "head-of", "spokesperson-for"]),
                    rng.choice(self.orgs),
                )
            elif r < 0.7:
                add(p, rng.choice(["ally-of", "opposes", "aide-of"]), rng.choice(self.people))
            elif r < 0.75:
                add(p, "spouse-of", rng.choice(self.people))
        return out


def _sections(n_events: int, seed: int) -> dict[str, list[str]]:
    if n_events < 1:
        raise ValueError("n_events must be at least 1")
    g = _Generator(n_events, seed)
    g.actors()
    sources = g.sources()  # events cite sources, so they come first
    return {
        "sources": sources,
        "actors": g.actor_items(),
        "events": g.events(),
        "claims": g.claims(),
        "relations": g.relations(),
    }


def _header(n_events: int, seed: int) -> str:
    return (
        f"# Synthetic timeline data: {n_events} events, seed {seed} (bench/synth.py).\n"
        "dataset:\n"
        f"  title: Synthetic timeline ({n_events} events, seed {seed})\n"
        "  description: Generated for benchmarks; every name and event is invented.\n"
        "  language: en\n"
    )


def generate(n_events: int, seed: int = 0) -> str:
    """One YAML document with `n_events` events, deterministic from `seed`."""
    parts = [_header(n_events, seed)]
    for name, items in _sections(n_events, seed).items():
        parts.append(f"\n{name}:\n")
        parts.append("\n".join(items))
    return "".join(parts)


def generate_files(n_events: int, seed: int = 0, per_file: int = 1000) -> dict[str, str]:
    """The same data as `generate`, split into a folder: file name -> YAML text.

    ``actors.yaml`` holds the dataset header, sources and actors; ``events-0001.yaml`` ... hold
    `per_file` events each; ``claims.yaml`` and ``relations.yaml`` the rest.
    """
    if per_file < 1:
        raise ValueError("per_file must be at least 1")
    s = _sections(n_events, seed)
    files = {
        "actors.yaml": _header(n_events, seed)
        + "\nsources:\n"
        + "\n".join(s["sources"])
        + "\nactors:\n"
        + "\n".join(s["actors"])
    }
    events = s["events"]
    width = max(4, len(str((len(events) - 1) // per_file + 1)))
    for k in range(0, len(events), per_file):
        files[f"events-{k // per_file + 1:0{width}d}.yaml"] = "events:\n" + "\n".join(
            events[k : k + per_file]
        )
    if s["claims"]:
        files["claims.yaml"] = "claims:\n" + "\n".join(s["claims"])
    files["relations.yaml"] = "relations:\n" + "\n".join(s["relations"])
    return files


def _load(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _save(path: Path, data: dict) -> None:
    import yaml

    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _unreferenced(folder: Path) -> tuple[Path, int]:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml")))
    for f in sorted(folder.glob("events-*.yaml")):
        for i, e in enumerate(_load(f)["events"]):
            if text.count(e["id"]) == 1:
                return f, i
    raise AssertionError("every event is referenced")


EDITS = ("summary", "date", "participant", "added", "removed", "actor", "relation")


def edit(folder: Path, kind: str) -> None:
    """One edit of a kind a curator makes (one of `EDITS`) to a folder written with
    `per_file`: an event's summary, date or participants, an event added or removed, an
    actor's aliases, a relation's note."""

    f = folder / "events-0002.yaml"
    data = _load(f)
    e = data["events"][0]
    if kind == "summary":
        e["summary"] += " Edited."
    elif kind == "date":
        e["date"] = "2019-05-04"
    elif kind == "participant":
        have = {p["actor"] for p in e.get("participants", [])} | set(e.get("places", []))
        people = [
            a["id"]
            for a in _load(folder / "actors.yaml")["actors"]
            if a["kind"] == "person" and a["id"] not in have
        ]
        e.setdefault("participants", []).append({"actor": people[0], "role": "participant"})
    elif kind == "added":
        added = {**copy.deepcopy(e), "id": "an-added-event", "title": "An added event"}
        data["events"].append(added)
    elif kind == "removed":
        f, i = _unreferenced(folder)
        data = _load(f)
        del data["events"][i]
    elif kind == "actor":
        f = folder / "actors.yaml"
        data = _load(f)
        data["actors"][0].setdefault("aliases", []).append("Zyzzyva Quartermaine")
    elif kind == "relation":
        f = folder / "relations.yaml"
        data = _load(f)
        data["relations"][0]["note"] = "An edited note."
    _save(f, data)


def write(n_events: int, out: Path, seed: int = 0, per_file: int | None = None) -> list[Path]:
    """Write one file, or a folder of files when `per_file` is given; returns the paths."""
    if per_file is None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(generate(n_events, seed), encoding="utf-8")
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate_files(n_events, seed, per_file).items():
        (out / name).write_text(text, encoding="utf-8")
        paths.append(out / name)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: python bench/synth.py N -o FILE [--seed S] [--per-file K]."""
    parser = argparse.ArgumentParser(
        description="Generate a realistic synthetic timeline dataset (YAML).",
        epilog="Example: python bench/synth.py 10000 -o /tmp/events-10k.yaml",
    )
    parser.add_argument("n_events", type=int, help="number of events")
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="output file, or folder with --per-file"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--per-file", type=int, default=None, help="write a folder with this many events per file"
    )
    args = parser.parse_args(argv)
    if args.n_events < 1:
        parser.error("N must be at least 1")
    paths = write(args.n_events, args.output, args.seed, args.per_file)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"wrote {args.n_events} events to {args.output} "
        f"({len(paths)} file{'s' if len(paths) != 1 else ''}, {size / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
