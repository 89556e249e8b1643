"""The fast RDF path (N-Triples lines straight from the models, Turtle through pyoxigraph) gives
the very graph `to_rdf` gives, with every string intact, deterministically."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from benchlib import synth
from timeline.cli import app
from timeline.errors import ExportError
from timeline.export.rdf import (
    Lines,
    blocks,
    chunked,
    ntriples,
    plan,
    to_rdf,
    turtle,
    turtle_chunk,
    turtle_header,
    turtle_pieces,
    turtle_text,
)
from timeline.graph import Build, build_graph
from timeline.pipeline import make_build

BASE = "https://example.org/timeline/"
HOSTILE = 'quote " back\\slash \\n not-a-newline\nnewline\ttab \r cr \x01\x1f\x7f <b>&amp; ñ 😀'


def _same(a: Graph, b: Graph) -> None:
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        pytest.fail(
            "graphs differ\nonly in first:\n"
            + only_a.serialize(format="nt")[:3000]
            + "\nonly in second:\n"
            + only_b.serialize(format="nt")[:3000]
        )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "events.yaml"
    path.write_text(synth.generate(200, seed=4), encoding="utf-8")
    return make_build(path, ner="gazetteer")


@pytest.fixture(scope="module")
def shipped_build(shipped_path):
    return make_build(shipped_path, ner="gazetteer")


@pytest.mark.parametrize("which", ["shipped_build", "synthetic"])
def test_turtle_and_ntriples_are_the_graph_to_rdf_gives(which, request):
    build = request.getfixturevalue(which)
    expected = to_rdf(build)
    assert build.mentions and len(expected) > 3000
    _same(expected, Graph().parse(data=turtle(build), format="turtle"))
    _same(expected, Graph().parse(data=ntriples(build), format="nt"))
    # pyoxigraph reads the same number of distinct triples: no line is malformed or repeated
    assert len(list(ox.parse(ntriples(build), format=ox.RdfFormat.N_TRIPLES))) == len(expected)


def test_blocks_are_sorted_and_never_share_a_subject(synthetic):
    found = blocks(synthetic)
    roots = [root for root, _ in found]
    assert roots == sorted(roots) and len(set(roots)) == len(roots)
    for root, text in found:
        lines = text[:-1].split("\n")
        assert lines == sorted(set(lines))
        for line in lines:
            subject = line.split(" ", 1)[0]
            assert subject == root or subject.startswith(root[:-1] + "/"), (root, line)


def test_turtle_does_not_depend_on_where_chunks_end(synthetic):
    found = blocks(synthetic, render=Lines.turtle)
    assert len(chunked(found)) > 1
    assert turtle(synthetic) == turtle_header() + turtle_chunk(found)


def test_two_processes_write_the_same_turtle_as_one(synthetic, monkeypatch):
    from timeline.export import rdf

    monkeypatch.setattr(rdf, "GROUP", 1)  # one chunk per task: the worker renders every other
    chunks = chunked(plan(synthetic, render=Lines.turtle))
    assert len(chunks) >= 2
    one = b"".join(turtle_pieces(chunks, None, jobs=1))
    assert b"".join(turtle_pieces(chunks, None, jobs=2)) == one == turtle(synthetic)


def test_mention_statements_are_the_turtle_of_their_triples(synthetic, shipped_build):
    """Mentions are written from a template; it gives what the triple-by-triple writer gives
    for the same triples (ambiguous ones with candidates, linked ones, unlinked names)."""
    from timeline.export.rdf import NtIris, event_block
    from timeline.graph import Mention

    iri = NtIris(None)
    seen = set()
    first = synthetic.dataset.events[0].id
    odd = [
        Mention(
            first,
            0,
            4,
            'Lyon "x"',
            "ORG",
            None,
            ("lyon-prison-south", "lyon-prison", "lyon-prison"),
            method="ambiguous",
        ),
        Mention(first, 5, 9, "Nobody", "NAME", None, method="name"),
        Mention(first, 10, 12, "Aa", "PERSON", "someone", method=""),
    ]
    for build in (synthetic, shipped_build, Build(synthetic.dataset, None, odd)):
        by_event: dict[str, list] = {}
        for m in build.mentions:
            by_event.setdefault(m.event, []).append(m)
        for e in build.dataset.events:
            lines = event_block(iri, e, by_event.get(e.id, []))
            for _, statement, triples in lines.made:
                made = triples()
                seen.add(tuple(sorted({p.rsplit("#")[-1] for _, p, _ in made})))
                assert statement == turtle_text(sorted(set(made)))
            assert lines.turtle() == turtle_text(lines.triples())
    assert len(seen) == 4, seen  # linked, ambiguous, unknown names, no method


def test_turtle_is_sorted_and_starts_with_every_prefix(shipped_build):
    text = turtle(shipped_build).decode()
    from timeline.vocab import PREFIXES

    head = text.splitlines()[: len(PREFIXES)]
    assert head == [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    subjects = [
        line.split(" ", 1)[0]
        for line in text.splitlines()[len(PREFIXES) :]
        if line and not line.startswith("\t")
    ]
    assert subjects == sorted(subjects) and len(subjects) == len(set(subjects))


def test_hostile_strings_survive_both_paths_exactly(mini):
    event = mini.events[0].model_copy(update={"title": HOSTILE, "summary": 'a\\b"c'})
    claim = mini.claims[0].model_copy(update={"value": 1.5e20, "statement": "x\u2028y"})
    dataset = mini.model_copy(update={"events": [event, *mini.events[1:]], "claims": [claim]})
    build = Build(dataset, build_graph(dataset))
    node = URIRef(f"{BASE}event/{event.id}")
    for graph in (
        to_rdf(build),
        Graph().parse(data=turtle(build), format="turtle"),
        Graph().parse(data=ntriples(build), format="nt"),
    ):
        assert graph.value(node, DCTERMS.title) == Literal(HOSTILE)
        assert graph.value(node, DCTERMS.description) == Literal('a\\b"c')
        value = graph.value(URIRef(f"{BASE}claim/{claim.id}"), RDF.value)
        assert value == Literal(1.5e20) and value.datatype == XSD.double
    line = next(
        ln
        for ln in ntriples(build).decode().split("\n")
        if ln.startswith(f"<{node}> <{DCTERMS.title}>")
    )
    assert line.endswith(
        '"quote \\" back\\\\slash \\\\n not-a-newline\\nnewline\\ttab \\r cr '
        '\\u0001\\u001F\\u007F <b>&amp; ñ 😀" .'
    )


@pytest.mark.parametrize(
    "base", ['https://x.example/"a/', "https://x.example/a b/", "https://x.example/<a>/"]
)
def test_a_base_no_iri_may_hold_is_refused(mini, base):
    with pytest.raises(ExportError, match="which no IRI may contain"):
        turtle(Build(mini, build_graph(mini), base=base))
    with pytest.raises(ExportError, match="which no IRI may contain"):
        to_rdf(Build(mini, build_graph(mini), base=base))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_refuses_a_bad_base_without_writing(mini_path, tmp_path, runner, jobs):
    import multiprocessing

    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "build",
            str(mini_path),
            "-o",
            str(out),
            "--ner",
            "none",
            "--base",
            'https://x.example/"a/',
            "--jobs",
            jobs,
        ],
    )
    assert multiprocessing.active_children() == []  # refused before any worker started
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "error: base IRI 'https://x.example/\"a/' holds '\"', which no IRI may contain; write "
        "one like https://example.org/timeline/"
    )
    assert not out.exists()


def test_a_second_turtle_process_only_for_large_builds_with_room(monkeypatch):
    import os

    from timeline import workers
    from timeline.export.rdf import PARALLEL_MIN_EVENTS, turtle_jobs

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(workers, "room_for_a_worker", lambda: True)
    assert turtle_jobs(PARALLEL_MIN_EVENTS - 1) == 1
    assert turtle_jobs(PARALLEL_MIN_EVENTS) == 2
    assert turtle_jobs(10, jobs=2) == 2 and turtle_jobs(10**6, jobs=1) == 1
    monkeypatch.setattr(workers, "room_for_a_worker", lambda: False)  # low on memory
    assert turtle_jobs(10**6) == 1
    assert turtle_jobs(10**6, jobs=2) == 2  # asked for: the user decides


def _boom() -> bytes:
    raise ValueError("boom")


def _no_memory() -> bytes:
    raise MemoryError


def _refused() -> bytes:
    raise ExportError("a bundled script contains '</script'; it cannot be inlined")


def test_a_forked_view_worker_gives_its_bytes_or_a_clear_error():
    import functools

    from timeline.pipeline import Forked

    assert Forked(functools.partial(bytes, b"<html>")).result() == b"<html>"
    for make, message in (
        (_boom, "rendering the view failed: ValueError: boom"),
        (_no_memory, "rendering the view failed: out of memory"),
        (_refused, "a bundled script contains '</script'; it cannot be inlined"),
    ):
        worker = Forked(make)
        with pytest.raises(ExportError) as err:
            worker.result()
        assert str(err.value) == message
        worker.close()  # idempotent: build() closes every output again


def test_turtle_and_its_prefixed_names_stay_valid_for_unusual_terms():
    """rdf:type as an object is never shortened to `a`; a boolean that is not true/false and a
    language-tagged literal are kept as they are."""
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    triples = sorted(
        [
            ("<urn:x:s>", rdf_type, "<urn:x:C>"),
            ("<urn:x:s>", "<urn:x:p>", rdf_type),
            ("<urn:x:s>", "<urn:x:q>", '"1"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
            ("<urn:x:s>", "<urn:x:r>", '"hola"@es'),
        ]
    )
    text = turtle_text(triples)
    assert "<urn:x:p> rdf:type" in text and " a <urn:x:C>" in text
    assert '"1"^^xsd:boolean' in text and '"hola"@es' in text
    header = "".join(
        f"@prefix {p}: <{ns}> .\n"
        for p, ns in (
            ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
            ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        )
    )
    parsed = Graph().parse(data=header + text, format="turtle")
    assert len(parsed) == 4
