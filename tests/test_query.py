"""SPARQL over the built graph: saved queries, bound parameters, formats, errors, time limit."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from timeline.cli import app
from timeline.errors import QueryError
from timeline.query import (
    Param,
    ReadOnly,
    check_read_only,
    open_graph,
    parse_params,
    query,
    saved_queries,
    saved_query,
)

ISSUE_QUERIES = {
    "actor-events",
    "event-actors",
    "co-participation",
    "events-between",
    "claims",
    "sources",
}


@pytest.fixture(scope="module")
def engine(mini_path):
    return open_graph(mini_path)


def run_saved(engine, name, **params):
    saved = saved_query(name)
    return engine.run(saved.text, params, declared=saved.params).cells()


def test_the_issue_s_saved_queries_ship_with_declared_parameters():
    saved = saved_queries()
    assert ISSUE_QUERIES <= set(saved)
    assert saved["actor-events"].params == (
        Param("actor", "actor", "an actor id or one of its names, e.g. nicolas-maduro"),
    )
    assert [(p.name, p.kind, p.required) for p in saved["events-between"].params] == [
        ("from", "from-date", False),
        ("to", "to-date", False),
    ]
    assert all(s.title for s in saved.values())


def test_actor_events_in_date_order_resolving_a_name_to_the_actor_iri(engine):
    assert run_saved(engine, "actor-events", actor="Maduro") == [
        [
            "actor/nicolas-maduro",
            "3 Jan 2026",
            "capture",
            "US forces capture Maduro in Caracas",
            "target",
        ]
    ]
    assert run_saved(engine, "actor-events", actor="caracas") == [
        [
            "actor/caracas",
            "3 Jan 2026",
            "capture",
            "US forces capture Maduro in Caracas",
            "location",
        ]
    ]


def test_event_actors_with_roles(engine):
    assert run_saved(engine, "event-actors", event="capture") == [
        ["event/capture", "caracas", "Caracas", "city", "location"],
        ["event/capture", "nicolas-maduro", "Nicolás Maduro", "person", "target"],
        ["event/capture", "us-forces", "US armed forces", "armed-forces", "agent"],
    ]


def test_co_participation_counts_each_pair_once(engine):
    assert run_saved(engine, "co-participation") == [
        ["caracas", "nicolas-maduro", "1"],
        ["caracas", "us-forces", "1"],
        ["nicolas-maduro", "us-forces", "1"],
    ]
    assert run_saved(engine, "partners", actor="us-forces") == [
        ["actor/us-forces", "caracas", "Caracas", "1", "2026-01-03", "2026-01-03"],
        ["actor/us-forces", "nicolas-maduro", "Nicolás Maduro", "1", "2026-01-03", "2026-01-03"],
    ]


def test_events_between_is_precision_aware(engine):
    # "~ Jan 2026" may fall on 5-10 Jan; the 3 Jan capture cannot; the week of 5 Jan overlaps
    assert run_saved(engine, "events-between", **{"from": "2026-01-05", "to": "2026-01-10"}) == [
        [
            "2026-01-05",
            "2026-01-10",
            "~ Jan 2026",
            "releases",
            "Political prisoners freed",
            "prisoner-release",
            "overlaps",
        ],
        [
            "2026-01-05",
            "2026-01-10",
            "~ week of 5 Jan 2026",
            "oil-deal",
            "Oil deal",
            "economic-measure",
            "overlaps",
        ],
    ]
    # a month as the end of the window means its last day; an open start keeps everything before
    rows = run_saved(engine, "events-between", to="2026-01")
    assert [(r[3], r[6]) for r in rows] == [
        ("releases", "inside"),
        ("capture", "inside"),
        ("oil-deal", "inside"),
    ]
    assert rows[0][:2] == ["", "2026-01-31"]
    assert [r[3] for r in run_saved(engine, "events-between", **{"from": "2026-02"})] == []


def test_claims_with_verifications_and_disagreements(engine):
    assert run_saved(engine, "claims") == [
        [
            "released-count",
            "prisoners released so far",
            "interim-government",
            "116",
            "people",
            "jep",
            "partially-confirmed",
            "70",
            "true",
        ]
    ]


def test_sources_behind_a_fact(engine):
    assert run_saved(engine, "sources", fact="released-count") == [
        ["released-count", "claim", "cited", "wire", "A wire report", "Example Wire", ""],
        [
            "released-count",
            "claim",
            "verification by jep",
            "wire",
            "A wire report",
            "Example Wire",
            "",
        ],
    ]
    with pytest.raises(QueryError, match="no event or claim 'captur' \\(did you mean 'capture'"):
        run_saved(engine, "sources", fact="captur")


def test_records_have_python_values(engine):
    saved = saved_query("claims")
    (record,) = engine.run(saved.text, declared=saved.params).records()
    assert record["value"] == 116 and record["checked_value"] == 70
    assert record["disagrees"] is True


def test_hostile_values_are_bound_never_pasted(engine):
    hostile = '" } UNION { ?s ?p ?o } #'
    answer = engine.run("SELECT ?x WHERE {}", {"x": hostile})
    assert answer.cells() == [[hostile]]
    text = "SELECT ?name ?a WHERE { ?a skos:prefLabel ?name }"
    assert engine.run(text, {"name": "Caracas"}).cells() == [["Caracas", "actor/caracas"]]
    assert engine.run(text, {"name": hostile}).cells() == []
    with pytest.raises(QueryError, match="no actor '> . \\?s \\?p \\?o . <'"):
        engine.run(
            "SELECT ?a WHERE { ?a ?p ?o }",
            {"a": "> . ?s ?p ?o . <"},
            declared=[Param("a", "actor")],
        )


def test_parameter_errors_say_how_to_fix_them(engine):
    saved = saved_query("actor-events")
    with pytest.raises(
        QueryError, match="missing parameter 'actor' \\(actor\\): add --param actor=VALUE"
    ):
        engine.run(saved.text, {}, declared=saved.params)
    with pytest.raises(QueryError, match="the query has no variable \\?who to bind"):
        engine.run(saved.text, {"actor": "caracas", "who": "x"}, declared=saved.params)
    with pytest.raises(QueryError, match="parameter 'to': date '2026-13' has month 13"):
        run_saved(engine, "events-between", to="2026-13")
    with pytest.raises(QueryError, match="must be listed in the query's SELECT clause"):
        engine.run("SELECT ?s WHERE { ?s ?p ?o FILTER(?o = ?v) }", {"v": "x"})
    with pytest.raises(
        QueryError,
        match="no saved query 'actor-event' \\(did you mean "
        "'actor-events'\\?\\); available: actor-events",
    ):
        saved_query("actor-event")
    with pytest.raises(QueryError, match="unknown kind 'person'"):
        parse_params("# @param who (person): someone\nSELECT * {}")


def test_updates_and_service_are_refused_before_running():
    for text in (
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/x>",
        "DROP ALL",
    ):
        with pytest.raises(ReadOnly):
            check_read_only(text)
    with pytest.raises(QueryError, match="SERVICE is not allowed \\(line 2\\)"):
        check_read_only("SELECT * WHERE {\n SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    # keywords inside strings, IRIs, comments and names are not statements
    check_read_only(
        'SELECT ?insert WHERE { ?s <http://x/DELETE> "DROP ALL" ; ex:load ?o } # INSERT'
    )


def test_a_built_graph_file_answers_like_the_dataset(tmp_path, mini_path):
    from timeline.pipeline import build

    build(mini_path, tmp_path, base="https://news.example/t/")
    ttl = tmp_path / "graph.ttl"
    engine = open_graph(ttl)
    assert engine.base == "https://news.example/t/"
    assert run_saved(engine, "actor-events", actor="nicolas-maduro")[0][0] == "actor/nicolas-maduro"
    from_yaml = query(mini_path, name="co-participation", base="https://news.example/t/")
    from_file = query(ttl, name="co-participation")
    assert from_yaml.cells() == from_file.cells()


def test_result_formats(mini_path):
    out = query(mini_path, name="event-actors", params={"event": "capture"}, fmt="csv")
    rows = list(csv.reader(io.StringIO(out.data.decode())))
    assert rows[0] == ["event", "actor", "name", "kind", "roles"]
    assert rows[1] == [
        "https://example.org/timeline/event/capture",
        "caracas",
        "Caracas",
        "city",
        "location",
    ]
    tsv = query(mini_path, name="co-participation", fmt="tsv").data.decode().splitlines()
    assert tsv[0] == "?a\t?b\t?events"
    assert tsv[1] == '"caracas"\t"nicolas-maduro"\t1'
    data = json.loads(query(mini_path, name="co-participation", fmt="json").data)
    assert data["head"]["vars"] == ["a", "b", "events"]
    assert data["results"]["bindings"][0]["events"]["value"] == "1"
    xml = query(mini_path, name="co-participation", fmt="xml").data.decode()
    assert '<variable name="events"/>' in xml
    nt = query(
        mini_path,
        sparql="CONSTRUCT { ?a rdfs:label ?n } WHERE { ?a a sem:Actor ; "
        "rdfs:label ?n } ORDER BY ?a LIMIT 1",
        fmt="ntriples",
    ).data.decode()
    assert nt == (
        "<https://example.org/timeline/actor/interim-government> "
        "<http://www.w3.org/2000/01/rdf-schema#label> "
        '"Venezuelan interim government" .\n'
    )
    with pytest.raises(QueryError, match="a SELECT query returns a table; choose --format"):
        query(mini_path, name="actors", fmt="turtle")
    with pytest.raises(QueryError, match="unknown format 'yaml'"):
        query(mini_path, name="actors", fmt="yaml")


def test_cli_table_and_parameters(runner, mini_path):
    result = runner.invoke(
        app, ["query", str(mini_path), "actor-events", "--param", "actor=maduro"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "actor                 date        event    title                                roles",
        "actor/nicolas-maduro  3 Jan 2026  capture  US forces capture Maduro in Caracas  target",
    ]
    result = runner.invoke(app, ["query", str(mini_path), "-e", "ASK { ?e a sem:Event }"])
    assert result.output == "true\n"


def test_cli_query_from_a_file_and_inline_declared_params(runner, mini_path, tmp_path):
    rq = tmp_path / "mine.rq"
    rq.write_text(
        "# @param who (actor): an actor\nSELECT ?who ?name WHERE { ?who skos:prefLabel ?name }\n"
    )
    result = runner.invoke(
        app, ["query", str(mini_path), "-f", str(rq), "-p", "who=JEP", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode() == (
        'who,name\r\nhttps://example.org/timeline/actor/jep,"Justicia, Encuentro y Perdón"\r\n'
    )


def test_cli_syntax_error_shows_its_position(runner, mini_path):
    result = runner.invoke(
        app, ["query", str(mini_path), "-e", "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = ) }"]
    )
    assert result.exit_code == 1
    # oxigraph reports where it gave up: the end of the third line
    assert result.stderr.splitlines()[0].startswith(
        "error: SPARQL syntax error at line 3, column 18: expected one of ABS, AVG, "
    )
    assert result.stderr.splitlines()[1:] == ["    FILTER(?s = ) }", " " * 19 + "^"]


def test_cli_errors(runner, mini_path):
    cases = [
        (
            ["query", str(mini_path)],
            "error: give exactly one query: a saved query NAME, "
            "--sparql TEXT or --file PATH (see timeline query --list)",
        ),
        (
            ["query", str(mini_path), "actors", "-p", "actor"],
            "error: --param 'actor' is not NAME=VALUE; write e.g. --param actor=nicolas-maduro",
        ),
        (
            ["query", str(mini_path), "actor-events", "-p", "actor=madur"],
            "error: parameter 'actor': no actor 'madur' (did you mean 'nicolas-maduro'?)",
        ),
        (
            ["query", str(mini_path) + ".ttl", "actors"],
            f"error: {mini_path}.ttl: no such file; build it with: timeline build DATA -o "
            f"{mini_path.parent}/",
        ),
        (
            ["query", str(mini_path), "-e", "DROP ALL"],
            "error: DROP is an update (line 1); the graph is read-only: only SELECT, ASK, "
            "CONSTRUCT and DESCRIBE run",
        ),
    ]
    for args, line in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        assert result.stderr.strip() == line
        assert "Traceback" not in result.output


def test_cli_list_and_help(runner):
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()[1:]]
    assert names == sorted(saved_queries())
    assert "events-between    from=from-date? to=to-date?" in result.output
    for command in ("query", "actors", "relations", "path", "serve"):
        help_text = runner.invoke(app, [command, "--help"]).output
        assert "Example: timeline " + command in help_text


def test_time_limit_stops_a_runaway_query(mini_path):
    """A cross product of the graph with itself four times (~1.8e9 rows) passes any limit."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "timeline.cli",
            "query",
            str(mini_path),
            "-e",
            slow,
            "--timeout",
            "0.5",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: the query ran past the time limit of 0.5 s and was stopped; narrow it (LIMIT, "
        "a date window, a bound parameter) or raise --timeout"
    )


def test_help_and_validate_do_not_import_the_query_engine():
    code = (
        "import sys; from typer.testing import CliRunner; from timeline.cli import app; "
        "CliRunner().invoke(app, ['query', '--help']); "
        "print(sorted(m for m in ('pyoxigraph', 'rdflib', 'networkx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def test_misspelt_name_suggests_the_actor_whose_name_is_close(runner, shipped_path):
    # the shipped data has ids closer in spelling ("maduro-wife") than the right one
    result = runner.invoke(app, ["query", str(shipped_path), "actor-events", "-p", "actor=madur"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: parameter 'actor': no actor 'madur' (did you mean 'nicolas-maduro'?)\n"
    )
