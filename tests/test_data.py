"""The shipped data: the whole story, in our own words, with its key facts."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT.parent / "shared" / "story" / "venezuela-prisoner-releases.txt"


SHINGLES = Path(__file__).parent / "data" / "story-shingles.txt"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9áéíóúñ]+", text.lower())


def shingles(text: str, n: int = 8) -> set[str]:
    """sha256 prefixes of every run of `n` words: a fingerprint that does not copy the text."""
    w = words(text)
    return {
        hashlib.sha256(" ".join(w[i : i + n]).encode()).hexdigest()[:16]
        for i in range(len(w) - n + 1)
    }


def story_shingles() -> set[str]:
    lines = SHINGLES.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_no_sentence_of_the_story_is_copied(shipped_path):
    """No run of 8 words of the story appears in the data. The fingerprints in
    tests/data/story-shingles.txt were made from the story with `shingles(story)`."""
    assert len(story_shingles()) > 900
    assert shingles(shipped_path.read_text(encoding="utf-8")) & story_shingles() == set()


def test_story_fingerprints_match_the_story_when_it_is_beside_the_project():
    if STORY.exists():  # CI and developers have ../shared; a bare clone relies on the file
        assert shingles(STORY.read_text(encoding="utf-8")) == story_shingles()


def test_fingerprint_check_catches_a_copied_run_of_words():
    original = "one two three four five six seven eight nine ten"
    assert shingles("Intro: " + original.upper() + " and more.") & shingles(original)
    assert not shingles("one two three four five six seven nine ten") & shingles(original)


def test_key_events_and_dates(shipped):
    by_id = {e.id: e for e in shipped.events}
    assert str(by_id["maduro-capture"].when) == "2026-01-03"
    assert str(by_id["state-department-confirms-american-releases"].when) == "2026-01-13"
    oil = by_id["oil-sales-deal"].when
    assert (str(oil), oil.relative_to, oil.label()) == (
        "~2026-01-05/2026-01-11",
        "state-department-confirms-american-releases",
        "~ week of 5 Jan 2026",
    )
    assert by_id["maduro-trial-new-york"].status == "planned"


def test_released_prisoners_claim_keeps_both_numbers(shipped):
    claims = [c for c in shipped.claims if c.value == 116]
    assert len(claims) == 1
    claim = claims[0]
    assert claim.claimed_by == "venezuela-interim-government"
    assert [(v.by, v.value, v.approximate) for v in claim.verifications] == [
        ("justicia-encuentro-y-perdon", 70, True)
    ]


def test_rodriguez_is_never_a_bare_alias(shipped):
    for actor in shipped.actors:
        assert "Rodriguez" not in actor.aliases and "Rodríguez" not in actor.aliases


def test_datasets_compare_by_their_data_not_by_lookups_made(mini_path):
    from timeline.load import read_dataset

    used, fresh = read_dataset(mini_path), read_dataset(mini_path)
    used.actor(used.actors[0].id)  # fills a lookup index
    assert used == fresh
    assert used != fresh.model_copy(update={"actors": fresh.actors[1:]})


def test_a_second_story_from_the_docs(tmp_path, runner):
    """The second story of docs/data-format.md (a theft of objects) validates and builds as the
    page says."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, XSD

    import docs
    from timeline.cli import app

    text = re.search(r"```yaml second-story\n(.*?)```", docs.text(), re.S).group(1)
    data = tmp_path / "heist.yaml"
    data.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(data)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("valid: 4 events, 5 actors, 1 source, 0 claims, 0 relations\n")
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(data), "-o", str(out)]).exit_code == 0
    g = Graph().parse(out / "graph.ttl")
    sem, schema, tl = (
        Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/"),
        Namespace("https://schema.org/"),
        Namespace("https://example.org/timeline/ns#"),
    )
    jewels = URIRef("https://example.org/timeline/actor/crown-jewels")
    assert set(g.objects(jewels, RDF.type)) == {schema.Thing}
    theft = URIRef("https://example.org/timeline/event/jewels-stolen")
    assert (theft, sem.eventType, URIRef("https://example.org/timeline/event-type/theft")) in g
    figure = URIRef("https://example.org/timeline/event/jewels-stolen/quantity/3")
    assert (figure, schema.currency, Literal("EUR")) in g
    assert (figure, schema.value, Literal(88000000)) in g
    museum = URIRef("https://example.org/timeline/actor/city-museum")
    assert {schema.Place, schema.Organization} <= set(g.objects(museum, RDF.type))
    photo = URIRef("https://example.org/timeline/event/jewels-stolen/media/1")
    assert (theft, schema.associatedMedia, photo) in g
    assert (photo, RDF.type, schema.ImageObject) in g
    # an open-ended date and an unknown one bounded by the event it follows
    found = URIRef("https://example.org/timeline/event/scooters-found")
    assert (found, sem.hasBeginTimeStamp, Literal("2025-10-19", datatype=XSD.date)) in g
    assert (found, sem.hasLatestEndTimeStamp, Literal("9999-12-31", datatype=XSD.date)) in g
    melted = URIRef("https://example.org/timeline/event/jewels-melted")
    assert (melted, tl.dateLabel, Literal("date unknown (after 19 Oct 2025)")) in g
    assert (melted, tl.datePrecision, URIRef("https://example.org/timeline/precision/unknown")) in g
    # a thing is not a place: listed under places, it is refused at its line
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("places: [city-museum]", "places: [crown-jewels]"))
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "crown-jewels" in result.output and "not a place" in result.output
