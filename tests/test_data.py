"""The shipped data: the whole story, in our own words, with its key facts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT.parent / "shared" / "story" / "venezuela-prisoner-releases.txt"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9áéíóúñ]+", text.lower())


@pytest.mark.skipif(not STORY.exists(), reason="the source story lives in ../shared")
def test_no_sentence_of_the_story_is_copied(shipped_path):
    story = words(STORY.read_text(encoding="utf-8"))
    ours = " ".join(words(shipped_path.read_text(encoding="utf-8")))
    copied = {
        " ".join(story[i:i + 8])
        for i in range(len(story) - 7)
        if " ".join(story[i:i + 8]) in ours
    }
    assert copied == set()


def test_key_events_and_dates(shipped):
    by_id = {e.id: e for e in shipped.events}
    assert str(by_id["maduro-capture"].when) == "2026-01-03"
    assert str(by_id["state-department-confirms-american-releases"].when) == "2026-01-13"
    oil = by_id["oil-sales-deal"].when
    assert (str(oil), oil.relative_to, oil.label()) == (
        "~2026-01-05/2026-01-11", "state-department-confirms-american-releases",
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
