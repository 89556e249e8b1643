"""The loader: every problem at once, each with file:line:column and what to write instead."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pyoxigraph
import pytest

from timeline.errors import InvalidDataset
from timeline.load import read_dataset

HEADER = """\
sources:
  - id: wire
    title: A wire report
actors:
  - id: nicolas-maduro
    name: Nicolás Maduro
    kind: person
    aliases: [Maduro]
  - id: caracas
    name: Caracas
    kind: city
events:
"""


def problems(tmp_path: Path, text: str, name: str = "events.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(InvalidDataset) as exc:
        read_dataset(path)
    prefix = str(tmp_path) + "/"
    return [str(p).removeprefix(prefix) for p in exc.value.problems]


def event(body: str) -> str:
    return HEADER + textwrap.indent(textwrap.dedent(body), "  ")


def test_valid_dataset_loads(mini):
    assert mini.summary() == "3 events, 5 actors, 1 source, 1 claim, 1 relation"
    assert [e.id for e in mini.events_by_date()] == ["releases", "capture", "oil-deal"]


def test_relative_date_is_resolved_and_kept(mini):
    oil = mini.event("oil-deal")
    assert str(oil.when) == "~2026-01-05/2026-01-11"
    assert (oil.when.relative_to, oil.when.as_stated) == ("capture", "last week")
    assert oil.when.earliest == date(2026, 1, 5)


def test_claim_keeps_both_numbers(mini):
    claim = mini.claims[0]
    assert claim.value == 116
    assert [(v.by, v.value, v.verdict) for v in claim.verifications] == [
        ("jep", 70, "partially-confirmed")
    ]
    assert claim.disagreements() == claim.verifications


def test_every_field_error_at_once(tmp_path):
    text = event("""\
        - id: capture
          title: Capture
          date: "2026-13"
          type: military-operaton
          summary: s
          sources: [wire]
          titel: x
        - id: Second Event
          title: t
          date: "2026-02-30"
          type: arrest
          summary: s
          sources: []
        - id: third
          date: "2026-03-05/2026-03-01"
          type: arrest
          summary: s
          sources: [wire]
        """)
    assert problems(tmp_path, text) == [
        "events.yaml:15:11: event 'capture': date '2026-13' has month 13; months run 01 to 12",
        "events.yaml:16:11: event 'capture': type 'military-operaton' is not one of: "
        "military-operation, arrest, transfer, political-transition, prisoner-release, "
        "statement, diplomacy, security-warning, protest, legal-action, economic-measure, "
        "sanctions, trial, humanitarian, theft, attack, investigation, election, accident, "
        "other (did you mean 'military-operation'?); or declare it under dataset: event_types",
        "events.yaml:19:5: event 'capture': unknown field 'titel' (did you mean 'title'?); "
        "allowed fields: id, title, date, type, summary, places, participants, sources, "
        "part_of, follows, caused_by, quotes, date_note, status, media, review, quantities, "
        "duplicate_of",
        "events.yaml:20:9: event 'Second Event': id 'Second Event' is not a valid id; ids are "
        "lowercase letters, digits and single hyphens: write 'second-event'",
        "events.yaml:22:11: event 'Second Event': date '2026-02-30' is not a real day: "
        "February 2026 has 28 days",
        "events.yaml:25:14: event 'Second Event': cite at least one source id, "
        "e.g. sources: [story]",
        "events.yaml:26:5: event 'third': missing required field 'title'; add 'title: ...'",
        "events.yaml:27:11: event 'third': date range '2026-03-05/2026-03-01' ends "
        "(2026-03-01) before it starts (2026-03-05); write the earlier date first",
    ]


def test_unknown_ids_suggest_the_closest(tmp_path):
    text = event("""\
        - id: capture
          title: Capture
          date: "2026-01-03"
          type: arrest
          summary: s
          places: [caracass, nicolas-maduro]
          participants:
            - {actor: maduro, role: target}
          sources: [wir]
          follows: [nothing-like-it]
        """)
    assert problems(tmp_path, text) == [
        "events.yaml:18:14: event 'capture': unknown actor id 'caracass' (did you mean 'caracas'?)",
        "events.yaml:18:24: event 'capture': places lists 'nicolas-maduro', a person, not a "
        "place; list countries, regions, cities or facilities here",
        "events.yaml:20:17: event 'capture': unknown actor id 'maduro' (did you mean "
        "'nicolas-maduro'?)",
        "events.yaml:21:15: event 'capture': unknown source id 'wir' (did you mean 'wire'?)",
        "events.yaml:22:15: event 'capture': unknown event id 'nothing-like-it'; add it under "
        "'events:' first",
    ]


def test_duplicate_ids_and_keys(tmp_path):
    text = event("""\
        - id: capture
          title: One
          title: Two
          date: "2026-01-03"
          type: arrest
          summary: s
          sources: [wire]
        - id: capture
          title: Again
          date: "2026-01-04"
          type: arrest
          summary: s
          sources: [wire]
        """)
    assert problems(tmp_path, text) == [
        "events.yaml:15:5: duplicate key 'title'; each key may appear once in a mapping",
        "events.yaml:20:9: duplicate event id 'capture' (first defined at line 13); give each "
        "one its own id",
    ]


def test_part_of_cycle_and_relative_cycle(tmp_path):
    text = event("""\
        - id: a
          title: A
          date: {relative_to: b, from_days: -7, to_days: -1, as_stated: "a week before b"}
          type: arrest
          summary: s
          sources: [wire]
          part_of: b
        - id: b
          title: B
          date: {relative_to: a, from_days: 1, to_days: 2, as_stated: "after a"}
          type: arrest
          summary: s
          sources: [wire]
          part_of: a
        """)
    assert problems(tmp_path, text) == [
        "events.yaml:19:14: event 'a': part_of forms a cycle (a -> b -> a); an event cannot "
        "be part of itself",
        "events.yaml:22:25: event 'b': relative dates form a cycle (b -> a -> b); anchor one "
        "of them to a calendar date",
    ]


def test_relation_ending_before_it_begins(tmp_path):
    text = (
        HEADER
        + """\
relations:
  - subject: nicolas-maduro
    type: located-in
    object: caracas
    start: "2026"
    end: "2025-06"
    sources: [wire]
"""
    )
    assert problems(tmp_path, text) == [
        "events.yaml:18:10: relation 'nicolas-maduro--located-in--caracas': ends (2025-06) "
        "before it begins (2026); check both dates",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"",
            "events.yaml:1:1: file is empty; start it with 'events:' (see docs/data-format.md "
            "for the format)",
        ),
        (
            b"events:\n  - id: a\n    title: x: y\n",
            "events.yaml:3:13: YAML syntax error: mapping values are not allowed in this context; "
            "put text that contains ': ' in quotes",
        ),
        (
            b"events: !!python/object/apply:os.system [echo hi]\n",
            "events.yaml:1:9: unsupported YAML tag '!!python/object/apply:os.system'; remove it "
            "(only plain text, numbers, lists and mappings are allowed)",
        ),
        (
            b'events:\n  - id: a\n    title: "caf\xe9"\n',
            "events.yaml:3:16: file is not UTF-8 text (byte 0xe9); save it as UTF-8",
        ),
        (
            b"events: []\n\x00\x01",
            "events.yaml:2:1: file contains a NUL byte: is it a binary file? Curated data must "
            "be UTF-8 text",
        ),
        (
            b"- just\n- a list\n",
            "events.yaml:1:1: the top level must be a mapping with keys like 'actors:' and "
            "'events:', not a list",
        ),
        (
            b"event: []\n",
            "events.yaml:1:1: unknown section 'event' (did you mean 'events'?); the sections are "
            "dataset, sources, actors, events, claims, relations",
        ),
    ],
)
def test_broken_files(tmp_path, data, message):
    path = tmp_path / "events.yaml"
    path.write_bytes(data)
    with pytest.raises(InvalidDataset) as exc:
        read_dataset(path)
    assert [str(p).removeprefix(str(tmp_path) + "/") for p in exc.value.problems] == [message]


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidDataset) as exc:
        read_dataset(path)
    messages = [p.message for p in exc.value.problems]
    assert sum("aliases of lists and mappings are not supported" in m for m in messages) == 11


def test_folder_of_files_is_one_dataset(tmp_path, mini_path):
    folder = tmp_path / "data"
    folder.mkdir()
    text = mini_path.read_text(encoding="utf-8")
    head, events_and_rest = text.split("events:\n", 1)
    (folder / "a-actors.yaml").write_text(head, encoding="utf-8")
    (folder / "b-events.yaml").write_text("events:\n" + events_and_rest, encoding="utf-8")
    assert read_dataset(folder).summary() == read_dataset(mini_path).summary()


def test_duplicate_id_across_files_names_the_other_file(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.yaml").write_text("sources:\n  - id: wire\n    title: A\n")
    (folder / "b.yaml").write_text("sources:\n  - id: wire\n    title: B\n")
    with pytest.raises(InvalidDataset) as exc:
        read_dataset(folder)
    assert [p.message for p in exc.value.problems] == [
        f"duplicate source id 'wire' (first defined at {folder / 'a.yaml'}:2); give each one "
        "its own id"
    ]


def test_unknown_ids_in_a_large_dataset_suggest_the_closest(tmp_path):
    # many known and unknown ids, of lengths on either side of 64 characters: the suggestions
    # are difflib's close matches, whichever way they are found
    import difflib
    import random

    rnd = random.Random(0)
    first = ["ana", "luis", "marta", "diego", "elena", "tomas", "ines", "ramon", "pilar", "ivan"]
    last = ["acuna", "dominguez", "hernandez", "marquez", "rodriguez", "villalobos", "zambrano"]
    ids: list[str] = []
    while len(ids) < 2000:
        words = [rnd.choice(first), rnd.choice(last)]
        if rnd.random() < 0.2:
            words += [rnd.choice(last) for _ in range(6)]
        slug = "-".join(words) + f"-{len(ids)}"
        ids.append(slug)
    actors = "".join(f"  - {{id: {k}, name: {k.upper()}, kind: person}}\n" for k in ids)
    unknown = [rnd.choice(ids) + "-x" for _ in range(299)] + ["nicolas-madurro"]
    participants = ", ".join(f"{{actor: {k}, role: agent}}" for k in unknown)
    text = (
        HEADER.removesuffix("events:\n")
        + actors
        + f"""\
events:
  - id: capture
    title: Capture
    date: "2026-01-03"
    type: arrest
    summary: s
    sources: [wire]
    participants: [{participants}]
"""
    )
    found = problems(tmp_path, text)
    assert len(found) == 300
    assert found[-1].endswith(
        "event 'capture': unknown actor id 'nicolas-madurro' (did you mean 'nicolas-maduro'?)"
    )
    known = ["nicolas-maduro", "caracas", *ids]
    for message, value in list(zip(found, unknown, strict=True))[::15]:
        close = difflib.get_close_matches(value, known, n=3, cutoff=0.6)
        assert message.endswith("(did you mean " + " or ".join(f"'{c}'" for c in close) + "?)")


def test_the_loader_frees_its_copy_of_the_file_without_the_collector():
    """Loading runs with the cyclic collector paused: a loader that referred to itself kept
    libyaml's copy of each whole file alive until the next collection."""
    import gc
    import tracemalloc

    from timeline.load import _Loader

    text = "events:\n" + "".join(f"  - id: e{i}\n    title: 'x {i}'\n" for i in range(60_000))
    enabled = gc.isenabled()
    gc.disable()
    tracemalloc.start()
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        assert root is not None
        del loader, root
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        if enabled:
            gc.enable()
    assert kept < len(text) / 10, (kept, len(text))


def test_an_event_with_a_field_error_still_has_its_places_checked(tmp_path):
    """Every problem in one pass: the bad date and the place that is no place, together."""
    found = problems(
        tmp_path,
        """
        sources:
          - {id: wire, title: Wire}
        actors:
          - {id: louvre, name: Louvre, kind: organization}
          - {id: paris, name: Paris, kind: city}
        events:
          - id: theft
            title: Jewels stolen
            date: "2025-10-32"
            type: theft
            summary: Thieves took jewels.
            places: [paris, louvre]
            sources: [wire]
        """,
    )
    assert len(found) == 2
    assert found[0] == (
        "events.yaml:10:11: event 'theft': date '2025-10-32' is not a real day: October 2025 "
        "has 31 days"
    )
    assert found[1] == (
        "events.yaml:13:21: event 'theft': places lists 'louvre', an organization, not a place; "
        "list countries, regions, cities or facilities here"
    )


def test_a_tab_is_named_as_a_tab(tmp_path):
    assert problems(tmp_path, "events:\n\t- id: x\n") == [
        "events.yaml:2:1: a tab indents this line; YAML indents with spaces only: replace the "
        "tab with spaces"
    ]


def test_an_id_of_another_kind_is_named_as_such(tmp_path):
    found = problems(
        tmp_path,
        """
        sources:
          - {id: wire, title: Wire}
        actors:
          - {id: laure-beccuau, name: Laure Beccuau, kind: person}
        claims:
          - id: worth
            about: laure-beccuau
            statement: The jewels are worth 88 million euros.
            claimed_by: laure-beccuau
            sources: [wire]
        """,
    )
    assert found == [
        "events.yaml:8:12: claim 'worth': 'laure-beccuau' is an actor; 'about' needs an event id"
    ]


NEW_FIELDS_BROKEN = """\
sources: [{id: s, title: S}]
actors:
  - {id: museum, name: Museum, kind: facility, also: [facility]}
  - {id: police, name: Police, kind: agency}
events:
  - id: theft
    title: T
    date: 2025-10-19
    type: theft
    summary: S
    participants:
      - {actor: police, role: agent, place: police}
    quantities:
      - {value: 8, unit: euros, of: value}
      - {value: 3, unit: widgets, of: things}
    sources: [s]
claims:
  - {id: c, statement: S, claimed_by: police, value: 88 million, unit: EUR, sources: [s]}
"""


def test_the_new_fields_are_checked_where_they_are_written(tmp_path, runner):
    from timeline.cli import app

    path = tmp_path / "new.yaml"
    path.write_text(NEW_FIELDS_BROKEN)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:3:55: actor 'museum': 'facility' is its kind already; list only other kinds "
        "under also",
        f"{path}:14:9: event 'theft': unit 'euros' is a currency: write its ISO 4217 code, EUR",
        f"{path}:18:5: claim 'c': value '88 million' has a unit, so it is a number: write "
        "88000000, not '88 million' (approximate: true says it is rounded)",
        "3 problems found; nothing was written",
    ]
    fixed = NEW_FIELDS_BROKEN.replace("unit: euros", "unit: EUR").replace("88 million", "88000000")
    path.write_text(fixed)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.stderr.splitlines()[:2] == [
        f"{path}:3:55: actor 'museum': 'facility' is its kind already; list only other kinds "
        "under also",
        f"{path}:12:45: event 'theft': participant 'police' takes part at 'police', an agency, "
        "not a place",
    ]
    path.write_text(
        fixed.replace("also: [facility]", "also: [organization]").replace(
            "place: police", "place: museum"
        )
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {path}:15:26: event 'theft': unit 'widgets' is neither an ISO 4217 currency "
        "code nor a known unit (%, acres, barrels, barrels per day, cm, days, deaths, detainees, "
        "...); "
        "kept as written\n"
    )


DECLARED_TYPES = """\
dataset:
  title: D
  event_types: {heist: theft, court-hearing: trial}
sources: [{id: s, title: S}]
events:
  - {id: a, title: A, date: 2025-10-19, type: heist, summary: S, sources: [s]}
  - {id: b, title: B, date: 2025-10-20, type: court-hearing, summary: S, sources: [s]}
"""


def test_a_dataset_declares_its_own_event_types(tmp_path):
    from timeline.export.formats import render
    from timeline.export.rdf import ntriples
    from timeline.graph import Build
    from timeline.rdfread import read_rdf

    path = tmp_path / "d.yaml"
    path.write_text(DECLARED_TYPES)
    ds = read_dataset(path)
    assert [ds.base_type(e.type) for e in ds.events] == ["theft", "trial"]
    assert [ds.family(e.type) for e in ds.events] == ["Justice", "Justice"]
    build = Build(ds)
    store = pyoxigraph.Store()
    store.load(ntriples(build), pyoxigraph.RdfFormat.N_TRIPLES)
    back = read_rdf(store, "https://example.org/timeline/").dataset
    assert back.dataset.event_types == {"heist": "theft", "court-hearing": "trial"}
    assert [e.type for e in back.events_by_date()] == ["heist", "court-hearing"]
    rows = store.query(
        "SELECT ?t WHERE { <https://example.org/timeline/event/a> "
        "<http://semanticweb.cs.vu.nl/2009/11/sem/eventType>/"
        "<http://www.w3.org/2004/02/skos/core#broader> ?t }"
    )
    assert [r[0].value for r in rows] == ["https://example.org/timeline/event-type/theft"]
    slides = json.loads(render(build, "timelinejs"))["events"]
    assert [s["group"] for s in slides] == ["Justice", "Justice"]


def test_a_declared_type_keeps_a_name_of_its_own(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(DECLARED_TYPES.replace("heist: theft", "arrest: theft"))
    with pytest.raises(InvalidDataset) as exc:
        read_dataset(path)
    assert (
        f"{path}:3:17: dataset: event_types declares 'arrest', one of the types already; "
        "give your type a name of its own"
    ) in str(exc.value).splitlines()
