"""The shape of the fast paths (no timings here: those are in bench/run.py).

The fast Turtle writer must give rdflib's bytes exactly; the loader's GC pause must leave the
collector as it found it; the benchmark must run end to end and print its table.
"""

from __future__ import annotations

import gc
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.errors import InvalidDataset
from timeline.export.rdf import serialize, to_rdf
from timeline.graph import Build, Mention, build_graph
from timeline.load import read_dataset

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _synth():
    spec = importlib.util.spec_from_file_location("synth_for_shape", BENCH / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synth_for_shape"] = module
    spec.loader.exec_module(module)
    return module


def _mentions(dataset) -> list[Mention]:
    """Mentions made by hand, so this test does not depend on the extraction pipeline."""
    out = []
    for e in dataset.events:
        for a in dataset.actors:
            at = e.text.find(a.name)
            if at >= 0:
                out.append(Mention(e.id, at, at + len(a.name), a.name, "PERSON", a.id))
    return out


@pytest.mark.parametrize("base", [None, "https://example.com/news#"])
def test_fast_turtle_is_rdflibs_turtle_byte_for_byte(tmp_path, base, mini_path):
    path = tmp_path / "synth.yaml"
    path.write_text(_synth().generate(150, seed=2), encoding="utf-8")
    for p in (mini_path, path):
        dataset = read_dataset(p)
        mentions = _mentions(dataset)
        graph = to_rdf(Build(dataset, build_graph(dataset, mentions), mentions, "test", base))
        assert len(graph) > 100
        assert serialize(graph, "turtle") == graph.serialize(format="turtle", encoding="utf-8")


def test_fast_turtle_keeps_generated_prefixes_for_unbound_predicates(mini):
    from rdflib import Literal, URIRef

    graph = to_rdf(Build(mini, build_graph(mini)))
    graph.add(
        (
            URIRef("https://example.org/timeline/event/capture"),
            URIRef("http://other.example/vocab#rating"),
            Literal(3),
        )
    )
    fast = serialize(graph, "turtle")
    assert fast == graph.serialize(format="turtle", encoding="utf-8")
    assert b"@prefix ns1: <http://other.example/vocab#> ." in fast


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_restores_the_garbage_collector(mini_path, tmp_path, enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        read_dataset(mini_path)
        assert gc.isenabled() is enabled
        bad = tmp_path / "bad.yaml"
        bad.write_text("events: [1]\n", encoding="utf-8")
        with pytest.raises(InvalidDataset):
            read_dataset(bad)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_triples_grow_linearly_with_events(tmp_path):
    synth = _synth()
    sizes = {}
    for n in (100, 400):
        p = tmp_path / f"{n}.yaml"
        p.write_text(synth.generate(n, seed=1), encoding="utf-8")
        ds = read_dataset(p)
        sizes[n] = len(to_rdf(Build(ds, build_graph(ds))))
    assert 3.0 < sizes[400] / sizes[100] < 5.0


@pytest.mark.slow
def test_benchmark_runs_end_to_end_and_prints_the_table(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "60",
            "--workdir",
            str(tmp_path),
            "--timeout",
            "600",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout
    assert "| stage | N = 60 |" in table
    for row in (
        "| load+validate | ",
        "| extract+link | ",
        "| graph | ",
        "| RDF | ",
        "| serialize | ",
        "| HTML | ",
        "| query | ",
        "| timeline build (CLI, end to end) | ",
        "| libyaml parse (yaml.load, CSafeLoader) | ",
        "| raw nlp.pipe (same pipeline) | ",
        "| rdflib: load Turtle | ",
        "| pyoxigraph: load Turtle | ",
        "| load+validate / libyaml parse | ",
    ):
        line = next(ln for ln in table.splitlines() if ln.startswith(row))
        assert " s / " in line or "x" in line, line
    assert "failed" not in table
    assert (tmp_path / "events-60-seed0.yaml").exists()


def test_two_extraction_processes_give_the_same_mentions_as_one(tmp_path):
    from timeline.extract import Gazetteer, get_extractor
    from timeline.link import link_dataset

    path = tmp_path / "synth.yaml"
    path.write_text(_synth().generate(300, seed=6), encoding="utf-8")
    dataset = read_dataset(path)
    extractor = get_extractor(Gazetteer.from_dataset(dataset), "gazetteer")
    seen: list[str] = []
    one = link_dataset(dataset, extractor, jobs=1)
    two = link_dataset(dataset, extractor, jobs=2, progress=seen.append)
    assert len(one) > 1000
    assert two == one
    assert seen[-1] == f"extract and link ({extractor.name}): waiting for 1 more process"


def test_extraction_uses_one_process_below_the_threshold_and_as_told(monkeypatch):
    import os

    from timeline import workers
    from timeline.extract import PARALLEL_MIN_WORDS, auto_jobs

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(workers, "room_for_a_worker", lambda: True)
    assert auto_jobs(PARALLEL_MIN_WORDS - 1) == 1
    assert auto_jobs(PARALLEL_MIN_WORDS) == 2
    assert auto_jobs(10, jobs=2) == 2
    assert auto_jobs(10**9, jobs=1) == 1
    monkeypatch.setattr(workers, "room_for_a_worker", lambda: False)  # low on memory
    assert auto_jobs(10**9) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert auto_jobs(10**9, jobs=2) == 2  # asked for: the user decides


TRICKY = [
    "Mr. Maduro's aide didn't say it's over; U.S. officials (and Sen. Rubio) did.",
    "See https://example.org/a?b=c, e-mail x@y.org -- or call at 5 p.m. on Jan. 3rd!",
    "\"Quoted,\" she said: 'yes'.  Two  spaces\nand a newline; Mr.Smith, U.S.-backed.",
    "Nicolás Maduro, NICOLÁS MADURO and nicolas maduro met the U.S. envoy's team.",
]


def test_warm_tokenizer_gives_spacys_tokens_in_any_order():
    """Filling the chunk cache must not change a single token, whitespace or offset."""
    import spacy

    from timeline.extract import WarmTokenizer

    def shape(doc):
        return [(t.text, t.whitespace_, t.idx) for t in doc]

    plain = spacy.blank("en").tokenizer
    expected = [shape(plain(t)) for t in TRICKY]
    for order in (TRICKY, TRICKY[::-1]):
        warm = WarmTokenizer(spacy.blank("en").tokenizer)
        got = {t: shape(warm(t)) for t in order}
        assert [got[t] for t in TRICKY] == expected
        assert [shape(warm(t)) for t in TRICKY] == expected  # again, from the cache


def test_gazetteer_ruler_gives_spacys_entity_ruler_entities():
    """Our phrase ruler against spaCy's, with the same folded patterns, overlapping ones too."""
    import spacy

    from timeline.extract import Gazetteer, get_extractor
    from timeline.models import Actor

    actors = [
        Actor(id="nicolas-maduro", name="Nicolás Maduro", kind="person", aliases=["Maduro"]),
        Actor(id="united-states", name="United States", kind="country", aliases=["U.S."]),
        Actor(id="marco-rubio", name="Marco Rubio", kind="person"),
    ]
    gaz = Gazetteer.from_actors(actors)
    ours = get_extractor(gaz, "gazetteer").nlp
    theirs = spacy.blank("en")
    theirs.add_pipe("timeline_fold", config={"acronyms": sorted(gaz.acronyms)})
    ruler = theirs.add_pipe(
        "entity_ruler", config={"phrase_matcher_attr": "NORM", "overwrite_ents": True}
    )
    # spaCy's ruler folds pattern texts with the pipes before it (as extract.py once used it)
    ruler.add_patterns(
        [
            {"label": label, "pattern": text, "id": key}  # type: ignore[attr-defined]
            for label, text, key in gaz.patterns
        ]
    )
    for text in TRICKY + ["Maduro Maduro, Nicolás Maduro; the United States and U.S. and us."]:
        mine = ours.get_pipe("entity_ruler")(ours.get_pipe("timeline_fold")(ours.make_doc(text)))
        spacys = theirs(text)
        assert [(e.start, e.end, e.label_, e.ent_id_) for e in mine.ents] == [
            (e.start, e.end, e.label_, e.ent_id_) for e in spacys.ents
        ]
    assert [e.ent_id_ for e in theirs("Nicolás Maduro met Marco Rubio in the U.S.").ents] == [
        "n:nicolas maduro",
        "n:marco rubio",
        "n:us",
    ]
