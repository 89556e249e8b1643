"""The RDF graph: golden file (compared as graphs), SHACL conformance, typed dates, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, XSD

from timeline.export.rdf import dataset_rdf, serialize
from timeline.vocab import NS, TL

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "data" / "mini.expected.ttl"
ONTOLOGY = ROOT / "ontologies" / "timeline.ttl"
SHAPES = ROOT / "ontologies" / "shapes.ttl"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
BASE = "https://example.org/timeline/"


def test_mini_matches_golden_graph(mini):
    """Regenerate with: TIMELINE_REGENERATE=1 pytest tests/test_rdf.py"""
    built = dataset_rdf(mini)
    if os.environ.get("TIMELINE_REGENERATE"):
        GOLDEN.write_bytes(serialize(built))
        pytest.fail(
            f"regenerated {GOLDEN.name}: review the diff, then run again without "
            "TIMELINE_REGENERATE"
        )
    expected = Graph().parse(GOLDEN)
    if not isomorphic(built, expected):
        _, only_built, only_expected = graph_diff(to_isomorphic(built), to_isomorphic(expected))
        pytest.fail(
            "graph differs from golden file\nonly in build:\n"
            + only_built.serialize(format="nt")
            + "\nonly in golden:\n"
            + only_expected.serialize(format="nt")
        )


@pytest.mark.parametrize("which", ["mini", "shipped"])
def test_graph_conforms_to_shapes(which, request):
    graph = dataset_rdf(request.getfixturevalue(which))
    conforms, _, report = pyshacl.validate(
        graph, shacl_graph=str(SHAPES), ont_graph=str(ONTOLOGY), inference="none"
    )
    assert conforms, report


def test_shapes_catch_a_claim_without_claimant(mini):
    graph = dataset_rdf(mini)
    claim = URIRef(BASE + "claim/released-count")
    graph.remove((claim, None, URIRef(BASE + "actor/interim-government")))
    conforms, _, report = pyshacl.validate(
        graph, shacl_graph=str(SHAPES), ont_graph=str(ONTOLOGY), inference="none"
    )
    assert not conforms
    assert "a claim must say who claims it" in report


def test_dates_are_typed_by_precision_with_bounds(shipped):
    g = dataset_rdf(shipped)
    stamp = URIRef(SEM + "hasTimeStamp")
    earliest = URIRef(SEM + "hasEarliestBeginTimeStamp")
    capture = URIRef(BASE + "event/maduro-capture")
    assert g.value(capture, stamp) == Literal("2026-01-03", datatype=XSD.date)
    assert g.value(capture, earliest) == Literal("2026-01-03", datatype=XSD.date)
    datatypes = {o.datatype for o in g.objects(None, stamp)}
    assert datatypes <= {XSD.date, XSD.gYearMonth, XSD.gYear}
    # every event has both bounds as xsd:date, whatever its precision
    for event in g.subjects(RDF.type, URIRef(SEM + "Event")):
        assert g.value(event, earliest).datatype == XSD.date
        assert g.value(event, URIRef(SEM + "hasLatestEndTimeStamp")).datatype == XSD.date


def test_claim_and_verification_both_kept(shipped):
    g = dataset_rdf(shipped)
    rows = list(
        g.query(
            """SELECT ?claimed ?verified ?who WHERE {
             ?c a tl:Claim ; rdf:value ?claimed ; tl:verification ?v .
             ?v rdf:value ?verified ; prov:wasAttributedTo ?who ; tl:disagrees true .
           }""",
            initNs={"tl": NS, "prov": "http://www.w3.org/ns/prov#", "rdf": str(RDF)},
        )
    )
    assert [(int(r[0]), int(r[1]), str(r[2]).rsplit("/", 1)[1]) for r in rows] == [
        (116, 70, "justicia-encuentro-y-perdon")
    ]


def test_base_iri_is_configurable(mini):
    g = dataset_rdf(mini, base="https://news.example.net/kg/")
    assert (
        URIRef("https://news.example.net/kg/event/capture"),
        RDF.type,
        URIRef(SEM + "Event"),
    ) in g
    assert not any(str(s).startswith(BASE) for s in g.subjects())


def test_code_terms_and_ontology_agree():
    onto = Graph().parse(ONTOLOGY)
    declared = {str(s) for s in onto.subjects() if str(s).startswith(NS)}
    in_code = {str(getattr(TL, name)) for name in TL.__annotations__}
    assert in_code - declared == set(), "terms used in code but missing from the ontology"
    assert declared - in_code - {NS.rstrip("#")} == {
        NS + s
        for s in (
            "ActorKindScheme",
            "EventTypeScheme",
            "RoleScheme",
            "VerdictScheme",
            "PrecisionScheme",
            "EventStatusScheme",
        )
    }


def test_every_controlled_value_is_a_concept():
    from typing import get_args

    from timeline import models

    onto = Graph().parse(ONTOLOGY)
    concepts = {
        str(s)
        for s in onto.subjects(RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept"))
    }
    for folder, literal in [
        ("event-type", models.EventType),
        ("role", models.Role),
        ("actor-kind", models.ActorKind),
        ("verdict", models.Verdict),
        ("status", models.EventStatus),
    ]:
        for value in get_args(literal):
            assert f"{BASE}{folder}/{value}" in concepts


def test_turtle_is_byte_identical_across_processes(tmp_path, shipped_path):
    outputs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "timeline.cli", "build", str(shipped_path), "-o", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append((out / "graph.ttl").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_serialize_is_byte_identical_across_processes_for_every_format(mini_path):
    code = (
        "import sys\n"
        "from timeline.load import read_dataset\n"
        "from timeline.export.rdf import dataset_rdf, serialize\n"
        f"g = dataset_rdf(read_dataset({str(mini_path)!r}))\n"
        "sys.stdout.buffer.write(b''.join(serialize(g, f) for f in "
        "('turtle', 'ntriples', 'jsonld', 'rdfxml')))\n"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1
