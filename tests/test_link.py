"""Linking: the gold set's exact results, ambiguity, mentions in the build and RDF, the CLI."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV

from timeline.cli import app
from timeline.extract import Found, Gazetteer
from timeline.link import extract_mentions, resolve
from timeline.pipeline import make_build
from timeline.vocab import TL

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = Path(__file__).resolve().parent / "gold"
BASE = "https://example.org/timeline/"


def _gold_module():
    spec = importlib.util.spec_from_file_location("timeline_gold", GOLD_DIR / "gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["timeline_gold"] = module
    spec.loader.exec_module(module)
    return module


gold = _gold_module()


@pytest.fixture(scope="module")
def gold_set():
    return gold.load_gold()


def test_gold_set_size_and_coverage(gold_set):
    _, mentions = gold_set
    assert len(mentions) == 76
    assert sum(1 for g in mentions if g.actor) == 59
    assert sum(1 for g in mentions if g.candidates) == 2
    assert sum(1 for g in mentions if g.new) == 15


def test_gazetteer_on_the_gold_set(gold_set):
    dataset, expected = gold_set
    mentions, pipeline = extract_mentions(dataset, "gazetteer")
    s = gold.score(expected, mentions)
    assert pipeline.endswith("/blank-en+gazetteer")
    assert (s.correct_linked, s.predicted_linked, s.gold_linked) == (59, 59, 59)
    assert (s.ambiguous_reported, s.gold_ambiguous) == (2, 2)
    assert (s.correct_new, s.predicted_new, s.gold_new) == (13, 13, 15)
    # a lone capitalised word opening a sentence is not proposed without a model
    assert s.wrong == (
        "new name missed: ('cuba-denies', 0, 4)",
        "new name missed: ('machado-thanks', 141, 148)",
    )


@pytest.mark.model
def test_model_on_the_gold_set(gold_set):
    dataset, expected = gold_set
    gazetteer_only, _ = extract_mentions(dataset, "gazetteer")
    mentions, pipeline = extract_mentions(dataset, "model")
    s = gold.score(expected, mentions)
    assert "en_core_web_sm" in pipeline
    # curated matches win, so the model changes no link
    assert {(m.event, m.start, m.end, m.actor) for m in mentions if m.actor} == {
        (m.event, m.start, m.end, m.actor) for m in gazetteer_only if m.actor
    }
    assert (s.ambiguous_reported, s.gold_ambiguous) == (2, 2)
    assert (s.correct_new, s.predicted_new, s.gold_new) == (15, 16, 15)
    assert s.wrong == ("not a new name: ('rubio-confirms', 132, 137)",)  # "State"


def test_ambiguous_name_is_decided_only_by_context(gold_set):
    dataset, _ = gold_set
    gaz = Gazetteer.from_dataset(dataset)

    def f(start: int, text: str, key: str | None, method: str) -> Found:
        return Found("e", start, start + len(text), text, "PERSON", key, method)

    bare = f(0, "Rodriguez", "n:rodriguez", "surname")
    both = ("delcy-rodriguez", "jorge-rodriguez")
    [alone] = resolve([bare], gaz)
    assert (alone.actor, alone.candidates, alone.method) == (None, both, "ambiguous")
    # one candidate named in full in the same text decides it
    full = f(20, "Jorge Rodríguez", "n:jorge rodriguez", "gazetteer")
    _, decided = resolve([full, bare], gaz)
    assert (decided.actor, decided.method) == ("jorge-rodriguez", "context")
    # so does being the only candidate among the event's curated participants
    [by_part] = resolve([bare], gaz, participants=["delcy-rodriguez", "caracas"])
    assert (by_part.actor, by_part.method) == ("delcy-rodriguez", "context")
    # both named, or both participants: still not guessed
    delcy = f(40, "Delcy Rodríguez", "n:delcy rodriguez", "gazetteer")
    assert resolve([full, delcy, bare], gaz)[2].actor is None
    assert resolve([bare], gaz, participants=both)[0].actor is None


def test_build_adds_mentions_apart_from_participation(mini_path):
    b = make_build(mini_path, ner="gazetteer")
    assert b.pipeline.endswith("/blank-en+gazetteer")
    event = b.dataset.event("capture")
    got = [(m.text, m.actor, m.method) for m in b.mentions]
    assert got == [
        ("US forces", "us-forces", "gazetteer"),
        ("Maduro", "nicolas-maduro", "gazetteer"),
        ("Caracas", "caracas", "gazetteer"),
        ("Maduro", "nicolas-maduro", "gazetteer"),
        ("US", None, "name"),
    ]
    for m in b.mentions:
        assert event.text[m.start : m.end] == m.text
    edges = {
        k: d
        for _, v, k, d in b.graph.out_edges("event:capture", keys=True, data=True)
        if v == "actor:nicolas-maduro"
    }
    # curated participation and what the text says stay apart; one mention edge per actor
    assert edges == {
        "role:target": {"type": "participant", "role": "target"},
        "mention": {
            "type": "mention",
            "count": 2,
            "text": "Maduro",
            "spans": "18-24 69-75",
            "method": "gazetteer",
        },
    }


def test_rdf_mentions_carry_offsets_and_provenance(mini_path):
    import pyshacl

    from timeline.export.rdf import to_rdf

    b = make_build(mini_path, ner="gazetteer")
    g = to_rdf(b)
    node = URIRef(BASE + "event/capture/mention/18-24")
    assert (URIRef(BASE + "event/capture"), TL.mention, node) in g
    assert g.value(node, TL.surfaceForm) == Literal("Maduro")
    assert g.value(node, TL.startOffset) == Literal(18)
    assert g.value(node, TL.endOffset) == Literal(24)
    assert g.value(node, TL.linkedTo) == URIRef(BASE + "actor/nicolas-maduro")
    assert g.value(node, TL.linkMethod) == Literal("gazetteer")
    activity = g.value(node, PROV.wasGeneratedBy)
    assert str(g.value(activity, TL.extractedBy)) == b.pipeline
    # extracted mentions are not curated participation
    assert (URIRef(BASE + "event/capture"), TL.mentions, URIRef(BASE + "actor/nicolas-maduro")) in g
    conforms, _, report = pyshacl.validate(
        g,
        shacl_graph=str(ROOT / "ontologies" / "shapes.ttl"),
        ont_graph=str(ROOT / "ontologies" / "timeline.ttl"),
        inference="none",
    )
    assert conforms, report


def test_rdf_records_candidates_of_an_ambiguous_mention(gold_set):
    from timeline.export.rdf import to_rdf

    b = make_build(GOLD_DIR / "dataset.yaml", ner="gazetteer")
    g = to_rdf(b)
    node = URIRef(BASE + "event/rodriguez-ambiguous/mention/0-9")
    assert g.value(node, TL.linkedTo) is None
    assert sorted(str(c) for c in g.objects(node, TL.candidate)) == [
        BASE + "actor/delcy-rodriguez",
        BASE + "actor/jorge-rodriguez",
    ]
    assert g.value(node, TL.linkMethod) == Literal("ambiguous")


def test_vocabulary_terms_are_in_the_ontology():
    from rdflib import Graph
    from rdflib.namespace import RDF

    onto = Graph().parse(ROOT / "ontologies" / "timeline.ttl")
    for term in (TL.candidate, TL.linkMethod, TL.mention, TL.linkedTo, TL.extractedBy):
        assert (term, RDF.type, None) in onto


# --- the command line ---------------------------------------------------------------------------


def test_cli_entities_counts(runner, mini_path):
    result = runner.invoke(app, ["entities", str(mini_path), "--ner", "gazetteer"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pipeline: spacy-3.8.") and lines[0].endswith("+gazetteer")
    assert lines[1:] == [
        "actor               kind         mentions events",
        "nicolas-maduro      person              2      1",
        "caracas             city                1      1",
        "us-forces           armed-forces        1      1",
        "interim-government  government          0      0",
        "jep                 ngo                 0      0",
        "4 linked mentions of 3 of 5 actors",
    ]


def test_cli_entities_unlinked_reports_candidates(runner):
    result = runner.invoke(
        app, ["entities", str(GOLD_DIR / "dataset.yaml"), "--unlinked", "--ner", "gazetteer"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "label   count  surface form",
        "NAME        2  Gustavo Petro  (events: petro-border)",
        "NAME        2  Marco Rubio  (events: rubio-confirms)",
        "NAME        2  María Corina Machado  (events: machado-thanks)",
        "PERSON      2  Rodriguez  (ambiguous, candidates: delcy-rodriguez, jorge-rodriguez; "
        "events: rodriguez-ambiguous)",
        "NAME        2  Washington  (events: washington-talks)",
        "NAME        1  Bogotá  (events: petro-border)",
        "NAME        1  Edmundo González  (events: washington-talks)",
        "NAME        1  Foro Penal  (events: jep-count)",
        "NAME        1  Havana  (events: cuba-denies)",
        "NAME        1  PDVSA  (events: oil-sales)",
        "10 unlinked surface forms",
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the article is empty; nothing to extract"),
        (
            b"\x00\x01\x02",
            "looks like a binary file (it contains NUL bytes); give a plain-text article",
        ),
        (b"caf\xe9", "not UTF-8 (byte 0xe9 at offset 3)"),
    ],
)
def test_cli_extract_bad_input_is_a_clear_error(runner, mini_path, tmp_path, data, message):
    article = tmp_path / "a.txt"
    article.write_bytes(data)
    result = runner.invoke(app, ["extract", str(article), "-d", str(mini_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.startswith(f"error: {article}")
    assert "Traceback" not in result.stderr


def test_cli_unknown_ner_mode(runner, mini_path, tmp_path):
    result = runner.invoke(
        app, ["build", str(mini_path), "-o", str(tmp_path / "o"), "--ner", "bert"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown NER mode 'bert'; choose one of gazetteer, model, none, auto\n"
    )
    assert not (tmp_path / "o").exists()


def test_cli_build_says_which_pipeline(runner, mini_path, tmp_path):
    result = runner.invoke(
        app, ["build", str(mini_path), "-o", str(tmp_path / "o"), "--ner", "gazetteer"]
    )
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("  extraction: "))
    assert line.startswith("  extraction: spacy-3.8.")
    assert line.endswith("/blank-en+gazetteer: 5 mentions, 4 linked")


@pytest.mark.parametrize("data", ["shipped", "gold", "synthetic"])
def test_the_actors_a_text_names_find_what_every_actor_finds(data, tmp_path):
    """A rebuild (`cache.extract_mentions`) extracts a few edited events with a gazetteer of
    only the actors sharing a word with their text: one event at a time, every event of three
    datasets gives the very mentions that the whole gazetteer gives."""
    from benchlib import synth
    from timeline.extract import actors_named_in, gazetteer_for
    from timeline.load import read_dataset
    from timeline.models import Dataset

    if data == "shipped":
        ds = read_dataset(ROOT / "data" / "events.yaml")
    elif data == "gold":
        ds = read_dataset(GOLD_DIR / "dataset.yaml")
    else:
        synth.write(200, tmp_path / "syn.yaml", seed=5)
        ds = read_dataset(tmp_path / "syn.yaml")
    whole, _ = extract_mentions(ds, "gazetteer")
    by_event: dict[str, list] = {e.id: [] for e in ds.events}
    for m in whole:
        by_event[m.event].append(m)
    fewer = []
    acronyms = Gazetteer.from_actors(ds.actors).acronyms
    for e in ds.events:
        fewer.append(len(actors_named_in(ds.actors, [e.text])))
        alone, _ = extract_mentions(
            Dataset.model_construct(actors=ds.actors, events=[e]),
            "gazetteer",
            gazetteer=gazetteer_for(ds.actors, [e.text], acronyms),
        )
        assert alone == by_event[e.id], e.id
    assert sum(map(len, by_event.values())) > 50
    assert max(fewer) < len(ds.actors)  # it does leave actors out


def test_an_acronym_folds_as_the_whole_gazetteer_folds_it():
    """ "US" is an acronym of the gazetteer (from "US Treasury"): as the pronoun "us" it would
    be no name; with only the actors the text names it must still be read as the acronym."""
    from timeline.extract import actors_named_in, gazetteer_for
    from timeline.models import Actor, Dataset, Event

    actors = [
        Actor(id="us-treasury", name="US Treasury", kind="organization"),
        Actor(id="nicolas-maduro", name="Nicolás Maduro", kind="person"),
    ]
    event = Event.model_validate(
        {
            "id": "sanctions",
            "title": "Sanctions",
            "date": "2026-01-09",
            "type": "statement",
            "sources": ["s"],
            "summary": "Sanctions announced by the US on Friday hit Nicolás Maduro.",
        }
    )
    ds = Dataset.model_construct(actors=actors, events=[event])
    whole, _ = extract_mentions(ds, "gazetteer")
    assert [(m.text, m.actor) for m in whole] == [
        ("US", None),
        ("Nicolás Maduro", "nicolas-maduro"),
    ]
    texts = [event.text]
    few, _ = extract_mentions(
        ds,
        "gazetteer",
        gazetteer=gazetteer_for(actors, texts, Gazetteer.from_actors(actors).acronyms),
    )
    assert few == whole
    # the named actors' own gazetteer would fold "US" as the pronoun, and miss it
    alone, _ = extract_mentions(
        ds, "gazetteer", gazetteer=Gazetteer.from_actors(actors_named_in(actors, texts))
    )
    assert alone != whole
