"""TimelineJS: the focus period frames the story, background spans do not set the scale, slides
say what the view says, and the offline page renders in the real TimelineJS with no request."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from browser import Tab, page  # noqa: F401  (`page` is a fixture)
from timeline.cli import app
from timeline.export.formats import Options, render
from timeline.focus import frame
from timeline.load import read_dataset
from timeline.pipeline import make_build

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "events.yaml"
MEDIA_STORY = ROOT / "tests" / "data" / "media-story" / "events.yaml"


@pytest.fixture(scope="module")
def shipped():
    return make_build(SHIPPED, ner="none")


@pytest.fixture(scope="module")
def story():
    return make_build(MEDIA_STORY, ner="none")


def doc(build, **opts):
    return json.loads(render(build, "timelinejs", Options(**opts)))


def test_the_focus_of_the_shipped_story_is_january_2026():
    ds = read_dataset(SHIPPED)
    window = frame(ds.events)
    assert (window.first, window.last) == (date(2026, 1, 1), date(2026, 1, 31))
    assert window.background == {
        "detentions-of-americans-and-opponents",
        "venezuela-economic-collapse",
        "venezuelan-exodus",
        "maduro-rule",
        "families-campaign-for-detained-americans",
        "us-sanctions-on-maduro-government",
    }


def test_background_spans_are_listed_and_clipped_not_slides(shipped):
    d = doc(shipped)
    ids = [s["unique_id"] for s in d["events"]]
    assert len(ids) == 32 - 6 and "maduro-rule" not in ids
    title = d["title"]["text"]["text"]
    assert "<b>Focus:</b> 1 Jan 2026 – 31 Jan 2026" in title
    assert "<li>~ 2015 – 3 Jan 2026: Maduro governs Venezuela</li>" in title
    # eras are clipped to the focus window, so none can stretch the time axis
    eras = {e["text"]["headline"]: (e["start_date"], e["end_date"]) for e in d["eras"]}
    assert eras == {
        "Maduro governs Venezuela": (
            {"year": 2026, "month": 1, "day": 1},
            {"year": 2026, "month": 1, "day": 3},
        ),
        "Families campaign for the detained Americans": (
            {"year": 2026, "month": 1, "day": 1},
            {"year": 2026, "month": 1, "day": 31},
        ),
        "US sanctions Maduro&#x27;s government": (
            {"year": 2026, "month": 1, "day": 1},
            {"year": 2026, "month": 1, "day": 31},
        ),
    }
    starts = [s["start_date"] for s in d["events"]]
    assert min((s["year"], s.get("month", 1)) for s in starts) == (2026, 1)


def test_groups_are_type_families_or_none(shipped):
    groups = {s["group"] for s in doc(shipped)["events"]}
    assert groups == {"Security", "Justice", "Politics", "Economy", "Other"}
    assert all("group" not in s for s in doc(shipped, groups=False)["events"])


def test_a_chosen_window_leaves_out_what_falls_outside(shipped):
    d = doc(shipped, first=date(2026, 1, 13), last=date(2026, 1, 13))
    ids = {s["unique_id"] for s in d["events"]}
    assert "state-department-confirms-american-releases" in ids
    assert "maduro-capture" not in ids  # 3 Jan: outside
    assert "political-prisoner-releases" in ids  # 3-13 Jan: overlaps the window
    assert "<b>Focus:</b> 13 Jan 2026" in d["title"]["text"]["text"]


def test_slides_say_status_words_as_stated_and_media(story):
    slides = {s["unique_id"]: s for s in doc(story)["events"]}
    assert "<p><b>Planned: this has not happened yet.</b></p>" in slides["trial"]["text"]["text"]
    arrest = slides["arrest"]
    assert arrest["display_date"] == "~ 24 Oct 2025 – 26 Oct 2025"
    assert "stated as “within a week”; approximate date" in arrest["text"]["text"]
    assert arrest["media"] == {
        "url": "https://example.org/photos/arrest.jpg",
        "credit": "Example Agency",
        "alt": "Police cars outside a block of flats",
    }
    # in the JSON a local image keeps its path as written (put the file beside the JSON)
    assert slides["theft"]["media"]["url"] == "media/museum-tape.png"
    assert "museum-history" not in slides  # a span of decades that ends before the focus


def test_the_cli_exports_a_window_and_refuses_it_where_it_means_nothing(tmp_path):
    runner = CliRunner()
    out = tmp_path / "t.json"
    result = runner.invoke(
        app, ["export", str(SHIPPED), "-f", "timelinejs", "-o", str(out), "--from", "2026-01-13"]
    )
    assert result.exit_code == 0, result.output
    assert "maduro-capture" not in out.read_text()
    result = runner.invoke(app, ["export", str(SHIPPED), "-f", "markdown", "--to", "2026-01"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --from, --to and --no-groups apply to timelinejs, timelinejs-html, sheet, "
        "not to markdown\n"
    )
    result = runner.invoke(app, ["export", str(SHIPPED), "-f", "timelinejs", "--from", "2026-13"])
    assert result.exit_code == 1
    assert result.stderr == "error: --from: date '2026-13' has month 13; months run 01 to 12\n"


@pytest.mark.browser
def test_the_offline_page_renders_in_timelinejs_with_no_request(page: Tab, tmp_path):  # noqa: F811
    out = tmp_path / "story.html"
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(SHIPPED), "-f", "timelinejs-html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page.open(out)
    page.wait_for("document.querySelectorAll('.tl-slide').length > 0")
    slides = page.pw.evaluate("document.querySelectorAll('.tl-slide').length")
    assert slides == 1 + 26  # the title slide and the focus period's events
    assert page.pw.evaluate("document.querySelector('.tl-headline').textContent") == (
        "Venezuela after Maduro's capture (January 2026)"
    )
    # the time navigation spans the focus, not the 2015 background
    labels = page.pw.evaluate(
        "[...document.querySelectorAll('.tl-timeaxis-tick-text')].map(e => e.textContent)"
    )
    assert labels and not any("2015" in t or "2020" in t for t in labels), labels
    page.pw.wait_for_timeout(1500)  # the time navigation's opening animation
    page.screenshot("timelinejs-shipped")
    page.assert_clean()


@pytest.mark.browser
def test_the_offline_page_embeds_local_images(page: Tab, tmp_path):  # noqa: F811
    out = tmp_path / "story.html"
    result = CliRunner().invoke(
        app, ["export", str(MEDIA_STORY), "-f", "timelinejs-html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "data:image/png;base64," in text
    # web media become links in the slide text: the page never loads them
    assert "https://example.org/photos/arrest.jpg" in text
    page.open(out)
    page.wait_for("document.querySelectorAll('.tl-slide').length > 0")
    page.pw.evaluate("window.timeline.goToId('theft')")
    page.wait_for("document.querySelector('.tl-slide-content img[src^=\"data:image/png\"]')")
    alt = page.pw.evaluate(
        "document.querySelector('.tl-slide-content img[src^=\"data:image/png\"]').alt"
    )
    assert alt == "Red tape across the museum's entrance"
    page.assert_clean()
