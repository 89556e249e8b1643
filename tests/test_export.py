"""Exports: golden files, byte-identical output, and independent readers of every format."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset as RdfDataset
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from timeline.cli import app
from timeline.export.csv import to_tables
from timeline.export.formats import FORMATS, render
from timeline.export.jsonld import CONTEXT_FILE, context_bytes
from timeline.export.rdf import to_rdf
from timeline.export.trig import split_by_source
from timeline.pipeline import make_build

GOLDEN = Path(__file__).resolve().parent / "golden"
INPUT = GOLDEN / "input.yaml"
ROOT = GOLDEN.parent.parent
RDF_PARSERS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}
BASE = "https://example.org/golden/"


@pytest.fixture(scope="module")
def build():
    return make_build(INPUT)


@pytest.fixture(scope="module")
def graph(build) -> Graph:
    return to_rdf(build)


def ntriples_set(g: Graph) -> set[str]:
    return {line for line in g.serialize(format="nt").splitlines() if line}


# --- golden files (RDF compared as graphs, the rest byte for byte) -------------------------------


@pytest.mark.parametrize("fmt", sorted(RDF_PARSERS))
def test_rdf_golden_files_are_the_same_graph(build, fmt):
    expected = Graph().parse(GOLDEN / f"export{FORMATS[fmt][0]}", format=RDF_PARSERS[fmt])
    actual = Graph().parse(data=render(build, fmt), format=RDF_PARSERS[fmt])
    assert isomorphic(expected, actual)
    assert isomorphic(actual, to_rdf(build))


def quads(data: bytes | Path) -> dict[str, set[str]]:
    """TriG as {graph name or '' for default: N-Triples lines}."""
    ds = RdfDataset()
    if isinstance(data, Path):
        ds.parse(data, format="trig")
    else:
        ds.parse(data=data, format="trig")
    out: dict[str, set[str]] = {}
    for g in ds.graphs():
        name = "" if g.identifier == URIRef("urn:x-rdflib:default") else str(g.identifier)
        if len(g):
            out[name] = ntriples_set(g)
    return out


def test_trig_golden_file_is_the_same_dataset(build):
    assert quads(GOLDEN / "export.trig") == quads(render(build, "trig"))


@pytest.mark.parametrize("fmt", ["timelinejs", "markdown", "gexf", "graphml"])
def test_text_golden_files(build, fmt):
    assert render(build, fmt) == (GOLDEN / f"export{FORMATS[fmt][0]}").read_bytes()


def test_csv_golden_tables(build):
    tables = to_tables(build)
    assert sorted(tables) == sorted(p.name for p in (GOLDEN / "csv").iterdir())
    for name, data in tables.items():
        assert data == (GOLDEN / "csv" / name).read_bytes(), name


def test_published_context_is_the_one_embedded():
    assert (ROOT / CONTEXT_FILE).read_bytes() == context_bytes()


# --- determinism ---------------------------------------------------------------------------------

HASH_SCRIPT = """
import hashlib, sys
from timeline.export.formats import FORMATS, render
from timeline.pipeline import make_build
b = make_build(sys.argv[1])
for fmt in FORMATS:
    print(fmt, hashlib.sha256(render(b, fmt)).hexdigest())
"""


@pytest.mark.slow
@pytest.mark.parametrize("path", [INPUT, ROOT / "data" / "events.yaml"], ids=["golden", "shipped"])
def test_every_format_is_byte_identical_across_hash_seeds(path):
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", HASH_SCRIPT, str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert len(outputs.pop().splitlines()) == len(FORMATS)


# --- interop: independent implementations read the same graph ------------------------------------


@pytest.mark.parametrize(
    "fmt,mime",
    [
        ("turtle", "text/turtle"),
        ("ntriples", "application/n-triples"),
        ("rdfxml", "application/rdf+xml"),
    ],
)
def test_pyoxigraph_reads_the_same_triples_as_rdflib(build, graph, fmt, mime):
    import pyoxigraph

    triples = pyoxigraph.parse(render(build, fmt), mime)
    from_oxigraph = {f"{t.subject} {t.predicate} {t.object} ." for t in triples}
    # both sides in N-Triples: let rdflib re-read oxigraph's lines so escaping is compared fairly
    reread = Graph().parse(data="\n".join(from_oxigraph), format="nt")
    assert len(from_oxigraph) == len(graph)
    assert ntriples_set(reread) == ntriples_set(graph)


def test_pyoxigraph_reads_the_same_trig_quads(build):
    import pyoxigraph

    data = render(build, "trig")
    by_graph: dict[str, set[str]] = {}
    for q in pyoxigraph.parse(data, "application/trig"):
        name = "" if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else q.graph_name.value
        by_graph.setdefault(name, set()).add(f"{q.subject} {q.predicate} {q.object} .")
    normalised = {
        k: ntriples_set(Graph().parse(data="\n".join(v), format="nt")) for k, v in by_graph.items()
    }
    assert normalised == quads(data)


def offline_loader(url, options=None):
    raise AssertionError(f"pyld tried to fetch {url}")


def test_pyld_expands_jsonld_to_the_same_triples(build, graph):
    from pyld import jsonld

    doc = json.loads(render(build, "jsonld"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": offline_loader})
    from_pyld = Graph().parse(data=nquads, format="nt")
    assert len(from_pyld) == len(graph)
    assert ntriples_set(from_pyld) == ntriples_set(graph)


def test_jsonld_uses_the_published_context_and_compact_names(build):
    doc = json.loads(render(build, "jsonld"))
    assert doc["@context"] == json.loads((ROOT / CONTEXT_FILE).read_bytes())["@context"]
    capture = next(n for n in doc["@graph"] if n["@id"] == BASE + "event/capture")
    assert capture["@type"] == "sem:Event"
    assert capture["sem:eventType"] == {"@id": "etype:military-operation"}
    assert capture["sem:hasTimeStamp"] == {"@type": "xsd:date", "@value": "2026-01-03"}
    assert capture["prov:wasDerivedFrom"] == [
        {"@id": BASE + "source/paper"},
        {"@id": BASE + "source/wire"},
    ]


# --- TriG: one named graph per source ------------------------------------------------------------


def test_trig_has_one_named_graph_per_source_and_loses_nothing(build, graph):
    graphs = quads(render(build, "trig"))
    names = {BASE + f"graph/source/{s}" for s in ("wire", "paper", "radio")}
    assert set(graphs) == {"", *names}
    links = {
        f"<{BASE}graph/source/{s}> <http://www.w3.org/ns/prov#wasDerivedFrom> <{BASE}source/{s}> ."
        for s in ("wire", "paper", "radio")
    }
    assert links <= graphs[""]
    union = set().union(*graphs.values())
    assert union - links == ntriples_set(graph)


def test_trig_puts_each_statement_in_the_graphs_of_its_sources(build):
    parts = {str(k): ntriples_set(v) for k, v in split_by_source(build).items()}
    wire, paper, radio = (parts[BASE + f"graph/source/{s}"] for s in ("wire", "paper", "radio"))
    default = parts["None"]
    title = (
        f"<{BASE}event/capture> <http://purl.org/dc/terms/title> "
        '"US forces capture Maduro in Caracas" .'
    )
    assert title in wire and title in paper and title not in radio | default
    # the quote cites radio only, although its event cites wire and paper
    quote = f'<{BASE}event/capture/quote/1> <https://schema.org/text> "We did it <quickly>." .'
    assert quote in radio and quote not in wire | paper | default
    # the verification cites paper, the claim wire
    verdict = (
        f"<{BASE}claim/released-count/verification/1> "
        "<https://example.org/timeline/ns#verdict> "
        "<https://example.org/timeline/verdict/partially-confirmed> ."
    )
    assert verdict in paper and verdict not in wire
    # an actor-to-actor statement goes where its relation's sources are
    opposes = (
        f"<{BASE}actor/us-forces> <https://example.org/timeline/ns#opposes> "
        f"<{BASE}actor/nicolas-maduro> ."
    )
    assert opposes in paper and opposes in wire and opposes not in radio
    # begin/end instants of a range date belong to their event
    assert any(line.startswith(f"<{BASE}event/week/time/begin>") for line in radio)
    # what no source says stays in the default graph
    assert (
        f'<{BASE}actor/caracas> <http://www.w3.org/2004/02/skos/core#prefLabel> "Caracas" .'
        in default
    )


# --- TimelineJS ----------------------------------------------------------------------------------


def test_timelinejs_has_the_published_formats_required_fields(build):
    doc = json.loads(render(build, "timelinejs"))
    assert set(doc) <= {"events", "title", "eras", "scale"}
    assert isinstance(doc["title"]["text"]["headline"], str)
    # the two spans before the January 2026 focus are background, not slides
    assert len(doc["events"]) == len(build.dataset.events) - 2
    ids = [slide["unique_id"] for slide in doc["events"]]
    assert len(set(ids)) == len(ids)
    allowed = {
        "start_date",
        "end_date",
        "text",
        "media",
        "group",
        "display_date",
        "background",
        "autolink",
        "unique_id",
    }
    for slide in doc["events"]:
        assert set(slide) <= allowed
        assert isinstance(slide["start_date"]["year"], int)
        assert set(slide["start_date"]) <= {"year", "month", "day", "display_date"}
        assert slide["text"]["headline"] and slide["text"]["text"]


def test_timelinejs_dates_keep_their_precision(build):
    slides = {s["unique_id"]: s for s in json.loads(render(build, "timelinejs"))["events"]}
    assert slides["releases"]["start_date"] == {"year": 2026, "month": 1}
    assert slides["releases"]["display_date"] == "~ Jan 2026"
    assert slides["capture"]["start_date"] == {"year": 2026, "month": 1, "day": 3}
    assert slides["capture"]["display_date"] == "3 Jan 2026"
    assert slides["week"]["start_date"] == {"year": 2026, "month": 1, "day": 5}
    assert slides["week"]["end_date"] == {"year": 2026, "month": 1, "day": 11}
    assert slides["week"]["display_date"] == "week of 5 Jan 2026"
    assert slides["capture"]["group"] == "Security"
    # the 2025 sanctions year and the 2013-2025 span end before the focus: background
    shown = {s["unique_id"] for s in json.loads(render(build, "timelinejs"))["events"]}
    assert {"background", "sanctions-year"}.isdisjoint(shown)


def test_timelinejs_credits_sources_and_shows_claims_escaped(build):
    slides = {s["unique_id"]: s for s in json.loads(render(build, "timelinejs"))["events"]}
    capture = slides["capture"]["text"]["text"]
    assert (
        '<a href="https://example.org/wire?id=1&amp;lang=en">A wire report</a>, Example Wire'
        in capture
    )
    assert "Paper [analysis] *of* the &lt;b&gt;raid&lt;/b&gt;, The Paper, Jan 2026" in capture
    assert "<blockquote>“We did it &lt;quickly&gt;.” — US armed forces (paraphrase)" in capture
    releases = slides["releases"]["text"]["text"]
    assert (
        "<b>Venezuelan interim government</b> claims: prisoners released so far (116 people)"
        " — checked by Justicia, Encuentro y Perdón: partially confirmed, about 70 people"
    ) in releases
    text = render(build, "timelinejs").decode()
    assert "<script" not in text and "<img" not in text and '"onmouseover' not in text


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_tables_read_back(build):
    tables = {
        name: list(csv.DictReader(io.StringIO(data.decode(), newline="")))
        for name, data in to_tables(build).items()
    }
    assert [r["id"] for r in tables["events.csv"]] == [e.id for e in build.dataset.events_by_date()]
    assert len(tables["actors.csv"]) == 6
    assert {(r["event"], r["actor"], r["role"]) for r in tables["participations.csv"]} >= {
        ("capture", "us-forces", "agent"),
        ("capture", "caracas", "location"),
    }
    claim = tables["claims.csv"][0]
    assert (claim["id"], claim["value"], claim["disputed"]) == ("released-count", "116", "true")
    assert tables["verifications.csv"][0]["sources"] == "paper"
    assert tables["events.csv"][3]["sources"] == "wire|paper"
    week = next(r for r in tables["events.csv"] if r["id"] == "week")
    assert week["summary"] == "Talks | pipes | and\nnew lines."


def test_csv_defuses_spreadsheet_formulas(build):
    tables = to_tables(build)
    events = list(csv.DictReader(io.StringIO(tables["events.csv"].decode(), newline="")))
    releases = next(r for r in events if r["id"] == "releases")
    assert releases["summary"] == "'=1+1 The interim government frees prisoners in stages."
    actors = list(csv.DictReader(io.StringIO(tables["actors.csv"].decode(), newline="")))
    assert next(r for r in actors if r["id"] == "hostile")["name"].startswith("'=HYPERLINK(")


def test_csv_zip_holds_every_table(build):
    archive = zipfile.ZipFile(io.BytesIO(render(build, "csv")))
    assert sorted(archive.namelist()) == sorted(to_tables(build))
    for name, data in to_tables(build).items():
        assert archive.read(name) == data


# --- Markdown ------------------------------------------------------------------------------------


def test_markdown_renders_without_any_injected_markup(build):
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(render(build, "markdown").decode())
    assert "<script" not in html and "<img" not in html and "<b>raid" not in html
    assert 'href="javascript' not in html and "<strong>bold" not in html
    assert "<h3>~ Jan 2026: Political prisoners freed</h3>" in html
    assert (
        "=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;) "
        "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    )


def test_markdown_is_a_chronology_with_footnoted_sources(build):
    text = render(build, "markdown").decode()
    headings = [line for line in text.splitlines() if line.startswith("##")]
    assert headings[:3] == ["## 2013", "### \\~ 2013 – 2025: Years of tension", "## 2025"]
    assert "An overnight operation ends with Maduro in US custody.[^wire][^paper]" in text
    assert (
        "[^wire]: Example Wire, “A wire report”, 14 Jan 2026. "
        "<https://example.org/wire?id=1&lang=en>" in text
    )
    assert (
        "[^radio]: “Radio interview”. <https://example.org/radio/%22onmouseover=alert(1)>" in text
    )


# --- GEXF and GraphML ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_graph_files_read_back_with_counts_and_times(build, tmp_path, fmt):
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(render(build, fmt))
    g = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    assert g.number_of_nodes() == build.graph.number_of_nodes()
    assert g.number_of_edges() == build.graph.number_of_edges()
    cap, week = g.nodes["event:capture"], g.nodes["event:week"]
    assert (cap["start"], cap["end"]) == ("2026-01-03", "2026-01-03")
    assert (week["start"], week["end"]) == ("2026-01-05", "2026-01-11")
    # an actor spans its events and relations: us-forces opposes Maduro from 2025
    forces = g.nodes["actor:us-forces"]
    assert (forces["start"], forces["end"]) == ("2025-01-01", "2026-01-03")
    # the located-in relation has no end, so Caracas's interval stays open
    assert g.nodes["actor:caracas"]["start"] == "2026-01-01"
    assert "end" not in g.nodes["actor:caracas"]
    edges = g.get_edge_data("event:capture", "actor:us-forces")
    assert {(d["start"], d["end"]) for d in edges.values()} == {("2026-01-03", "2026-01-03")}


def test_gexf_is_dynamic_1_3(build):
    text = render(build, "gexf").decode()
    assert 'xmlns="http://gexf.net/1.3"' in text and 'version="1.3"' in text
    assert '<graph defaultedgetype="directed" mode="dynamic" timeformat="date"' in text


# --- the command ---------------------------------------------------------------------------------


def test_cli_export_to_stdout(runner, build):
    result = runner.invoke(app, ["export", str(INPUT), "--format", "ntriples", "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout_bytes == render(build, "ntriples")


def test_cli_export_default_paths_and_folders(runner, tmp_path, monkeypatch, build):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export", str(INPUT), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "  wrote out/timeline.csv.zip"
    assert (tmp_path / "out/timeline.csv.zip").read_bytes() == render(build, "csv")
    result = runner.invoke(app, ["export", str(INPUT), "-f", "csv", "-o", "tables"])
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(to_tables(build))
    result = runner.invoke(app, ["export", str(INPUT), "-f", "gexf", "-o", "tables/"])
    assert (tmp_path / "tables/timeline.gexf").read_bytes() == render(build, "gexf")


def test_cli_export_unknown_format(runner, tmp_path):
    result = runner.invoke(app, ["export", str(INPUT), "-f", "turtl", "-o", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown format 'turtl' (did you mean 'turtle'?); choose one "
        "of: turtle, ntriples, jsonld, trig, rdfxml, timelinejs, timelinejs-html, sheet, csv, "
        "markdown, gexf, graphml\n"
    )
    assert not (tmp_path / "x").exists()


def test_cli_export_csv_to_a_plain_file_is_refused(runner, tmp_path):
    result = runner.invoke(app, ["export", str(INPUT), "-f", "csv", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: csv writes several tables: give -o a folder or a .zip "
        f"file, not '{tmp_path / 't.csv'}'\n"
    )


def test_cli_export_of_bad_data_changes_no_file(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "events:\n  - id: x\n    title: X\n    date: '2026-13'\n    type: other\n"
        "    summary: s\n    sources: [nowhere]\n"
    )
    target = tmp_path / "keep.ttl"
    target.write_bytes(b"previous")
    result = runner.invoke(app, ["export", str(bad), "-f", "turtle", "-o", str(target)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == "2 problems found; nothing was written"
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "keep.ttl"]


def test_export_commands_do_not_import_heavy_libraries_for_help():
    code = (
        "import sys; from typer.testing import CliRunner; from timeline.cli import app; "
        "CliRunner().invoke(app, ['export', '--help']); "
        "print(sorted(m for m in ('spacy', 'rdflib', 'pyvis', 'httpx') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
