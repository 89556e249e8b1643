"""Actor analysis: centrality ranking, relations, shortest chains of events, date windows."""

from __future__ import annotations

import pytest

from timeline.analyze import AnalysisError, Hop, Link, Window, path, rank_actors, relations
from timeline.cli import app
from timeline.pipeline import make_build


@pytest.fixture(scope="module")
def mini_build(mini_path):
    return make_build(mini_path)


@pytest.fixture(scope="module")
def shipped_build(shipped_path):
    return make_build(shipped_path)


def test_ranks_on_the_mini_dataset(mini_build):
    ranks = rank_actors(mini_build)
    assert [(r.actor, r.events, r.partners) for r in ranks] == [
        ("caracas", 1, 2),
        ("nicolas-maduro", 1, 2),
        ("us-forces", 1, 2),
        ("interim-government", 1, 0),
    ]
    top = ranks[0]
    assert top.degree == pytest.approx(2 / 3)
    assert top.betweenness == 0
    # a triangle of 3 of the 4 actors: 1/sqrt(3) each, scaled by sqrt(3/4)
    assert top.eigenvector == pytest.approx(0.5)
    assert ranks[-1].eigenvector == 0 and ranks[-1].degree == 0


def test_a_broker_ranks_on_betweenness(shipped_build):
    ranks = {r.actor: r for r in rank_actors(shipped_build)}
    # every actor with an event is ranked, and scores stay in [0, 1]
    assert all(0 <= r.betweenness <= 1 and 0 <= r.eigenvector <= 1 for r in ranks.values())
    ordered = rank_actors(shipped_build)
    assert [r.degree for r in ordered] == sorted((r.degree for r in ordered), reverse=True)
    assert rank_actors(shipped_build, limit=3) == ordered[:3]


def test_betweenness_over_many_actors_is_a_reproducible_estimate(shipped_build, monkeypatch):
    """Above EXACT_BETWEENNESS actors, betweenness comes from PIVOTS actors drawn with a fixed
    seed: the same build gives the same figures, and the command says it is an estimate."""
    import networkx as nx

    import timeline.analyze as analyze
    from timeline.graph import actor_graph

    exact_notes: list[str] = []
    exact = {r.actor: r.betweenness for r in rank_actors(shipped_build, notes=exact_notes)}
    assert exact_notes == []
    monkeypatch.setattr(analyze, "EXACT_BETWEENNESS", 5)
    monkeypatch.setattr(analyze, "PIVOTS", 6)
    notes: list[str] = []
    first = rank_actors(shipped_build, notes=notes)
    ranked = len(first)
    assert ranked > 6 and notes == [
        f"betweenness is estimated from the shortest paths of 6 of the {ranked} actors "
        "(exact up to 5 actors)"
    ]
    assert rank_actors(shipped_build) == first  # the same pivots every time
    estimate = {r.actor: r.betweenness for r in first}
    assert estimate != exact and set(estimate) == set(exact)
    ag = actor_graph(shipped_build.graph)
    ag.remove_nodes_from([n for n in list(ag) if n.split(":", 1)[-1] not in exact])
    assert sorted(estimate.values()) == sorted(nx.betweenness_centrality(ag, k=6, seed=0).values())


def test_the_actors_command_says_when_betweenness_is_estimated(runner, shipped_path, monkeypatch):
    import timeline.analyze as analyze

    monkeypatch.setattr(analyze, "EXACT_BETWEENNESS", 5)
    monkeypatch.setattr(analyze, "PIVOTS", 6)
    result = runner.invoke(app, ["actors", str(shipped_path), "--limit", "3", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("rank,actor,name,kind,events,partners,degree,")
    assert result.stderr.endswith(" (exact up to 5 actors)\n")
    assert result.stderr.startswith("note: betweenness is estimated from the shortest paths of 6")


def test_date_windows_are_precision_aware(mini_build):
    # 4-10 Jan keeps the month-precision release (any January day may be inside)
    ranks = rank_actors(mini_build, Window.parse("2026-01-04", "2026-01-10"))
    assert [r.actor for r in ranks] == ["interim-government"]
    assert rank_actors(mini_build, Window.parse("2026-02", None)) == []
    window = Window.parse("2026-01", "2026-02")
    assert (str(window.start), str(window.end)) == ("2026-01-01", "2026-02-28")
    with pytest.raises(
        AnalysisError,
        match="the window ends \\(2025-12-31\\) before it starts "
        "\\(2026-01-01\\); swap --from and --to",
    ):
        Window.parse("2026", "2025")
    with pytest.raises(AnalysisError, match="--from: date '2026-13' has month 13"):
        Window.parse("2026-13", None)


def test_relations_through_events_and_curated_relations(mini_build):
    assert relations(mini_build, "Maduro") == [
        Link(
            "caracas",
            "Caracas",
            "event",
            "capture",
            "US forces capture Maduro in Caracas",
            "3 Jan 2026",
            "target",
            "location",
        ),
        Link(
            "us-forces",
            "US armed forces",
            "event",
            "capture",
            "US forces capture Maduro in Caracas",
            "3 Jan 2026",
            "target",
            "agent",
        ),
    ]
    assert relations(mini_build, "interim-government") == [
        Link(
            "caracas",
            "Caracas",
            "relation",
            "located-in",
            "interim-government located-in caracas",
            "from Jan 2026",  # labelled as the events are
            "",
            "",
        )
    ]
    assert relations(mini_build, "interim-government", Window.parse(None, "2025")) == []


def test_shortest_chain_of_events(shipped_build, mini_build):
    assert path(mini_build, "us-forces", "nicolas-maduro") == [
        Hop(
            "us-forces",
            "capture",
            "US forces capture Maduro in Caracas",
            "3 Jan 2026",
            "nicolas-maduro",
        )
    ]
    hops = path(shipped_build, "maduro", "colombia")
    assert hops[0].actor == "nicolas-maduro" and hops[-1].partner == "colombia"
    assert all(a.partner == b.actor for a, b in zip(hops, hops[1:], strict=False))
    with pytest.raises(
        AnalysisError, match="no chain of events links 'nicolas-maduro' and 'interim-government'"
    ):
        path(mini_build, "nicolas-maduro", "interim-government")
    with pytest.raises(AnalysisError, match="'jep' takes part in no event, so no chain"):
        path(mini_build, "nicolas-maduro", "jep")
    with pytest.raises(
        AnalysisError,
        match="'us-forces' takes part in no event on or after 2026-02-01, so no chain",
    ):
        path(mini_build, "us-forces", "nicolas-maduro", Window.parse("2026-02", None))


def test_cli_actors_relations_path(runner, mini_path):
    result = runner.invoke(app, ["actors", str(mini_path), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "rank  actor           name            kind    events  partners  degree  betweenness  "
        "eigenvector",
        "1     caracas         Caracas         city    1       2         0.667   0.000        "
        "0.500",
        "2     nicolas-maduro  Nicolás Maduro  person  1       2         0.667   0.000        "
        "0.500",
    ]
    result = runner.invoke(app, ["actors", str(mini_path), "--format", "csv"])
    assert result.output.splitlines()[1] == "1,caracas,Caracas,city,1,2,0.667,0.000,0.500"
    result = runner.invoke(app, ["path", str(mini_path), "us-forces", "maduro", "--format", "csv"])
    assert result.output.splitlines() == [
        "step,actor,event,date,partner,title",
        "1,us-forces,capture,3 Jan 2026,nicolas-maduro,US forces capture Maduro in Caracas",
    ]
    result = runner.invoke(app, ["relations", str(mini_path), "caracas", "--format", "json"])
    assert result.exit_code == 0
    assert '"partner": "interim-government"' in result.output


def test_cli_errors_are_one_red_line(runner, mini_path):
    cases = [
        (
            ["path", str(mini_path), "madur", "jep"],
            "error: no actor 'madur' (did you mean 'nicolas-maduro'?)",
        ),
        (
            ["relations", str(mini_path), "caracas", "--from", "2026-02-30"],
            "error: --from: date '2026-02-30' is not a real day: February 2026 has 28 days",
        ),
        (
            ["path", str(mini_path), "caracas", "caracas"],
            "error: 'caracas' is the same actor at both ends; give two different actors",
        ),
        (
            ["actors", str(mini_path), "--format", "xml"],
            "error: unknown format 'xml'; choose table, csv or json",
        ),
    ]
    for args, line in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        assert result.stderr.strip() == line


def test_an_ended_relation_says_so(shipped_path):
    from timeline.analyze import relations

    links = {(link.ref, link.partner): link for link in relations(shipped_path, "delcy-rodriguez")}
    former = links[("vice-president-of", "nicolas-maduro")]
    assert (former.via, former.date) == ("relation", "ended")
