"""XSS through the whole tool: a dataset with a script payload in every text field, built by the
real `timeline build`, opened in headless Chromium. No payload runs (a window flag they would
set stays unset, no dialog opens, no request leaves the page), and each shown field shows the
payload as text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from browser import Tab, page  # noqa: F401  (`page` is the browser fixture)

# Each part would set window.__xss (or open a dialog) if the page ever parsed it as markup.
PAYLOAD = (
    '<img src=x onerror="window.__xss=1;alert(1)"></script><script>window.__xss=1</script>'
    '<svg onload="window.__xss=1"></svg>"\'><iframe srcdoc="<script>parent.__xss=1</script>">'
    "{{ data }}<!--"
)


def text(tag: str) -> str:
    return f"{tag} {PAYLOAD}"


# Fields the view shows, by tag; the others (source and relation notes) are only carried.
SHOWN = [
    "dataset-title",
    "dataset-description",
    "source-title",
    "source-publisher",
    "actor-name",
    "actor-alias",
    "actor-description",
    "event-title",
    "event-summary",
    "event-date-note",
    "event-as-stated",
    "quote",
    "claim-statement",
    "claim-value",
    "claim-unit",
    "verification-note",
    "media-alt",
    "media-caption",
    "media-credit",
]
DATA = {
    "dataset": {"title": text("dataset-title"), "description": text("dataset-description")},
    "sources": [
        {
            "id": "wire",
            "title": text("source-title"),
            "publisher": text("source-publisher"),
            "note": text("source-note"),
            "url": 'https://example.org/"><script>window.__xss=1</script>',
        }
    ],
    "actors": [
        {
            "id": "maduro",
            "name": text("actor-name"),
            "kind": "person",
            "aliases": [text("actor-alias")],
            "description": text("actor-description"),
        },
        {"id": "caracas", "name": "Caracas", "kind": "city"},
    ],
    "events": [
        {
            "id": "capture",
            "title": text("event-title"),
            "date": "2026-01-03",
            "type": "arrest",
            "summary": text("event-summary") + " in Caracas",
            "date_note": text("event-date-note"),
            "places": ["caracas"],
            "sources": ["wire"],
            "participants": [{"actor": "maduro", "role": "target"}],
            "quotes": [{"text": text("quote"), "speaker": "maduro", "sources": ["wire"]}],
            "media": [
                {
                    "url": 'https://example.org/a.jpg"><script>window.__xss=1</script>.jpg',
                    "alt": text("media-alt"),
                    "caption": text("media-caption"),
                    "credit": text("media-credit"),
                }
            ],
        },
        {
            "id": "later",
            "title": "Later",
            "type": "statement",
            "summary": "Later.",
            "date": {
                "relative_to": "capture",
                "from_days": 1,
                "to_days": 3,
                "as_stated": text("event-as-stated"),
            },
            "sources": ["wire"],
            "participants": [{"actor": "maduro", "role": "agent"}],
        },
    ],
    "claims": [
        {
            "id": "count",
            "about": "capture",
            "statement": text("claim-statement"),
            "claimed_by": "maduro",
            "value": text("claim-value"),
            "sources": ["wire"],
            "verifications": [
                {
                    "by": "caracas",
                    "verdict": "disputed",
                    "sources": ["wire"],
                    "note": text("verification-note"),
                }
            ],
        },
        {
            "id": "amount",
            "statement": "An amount",
            "claimed_by": "maduro",
            "value": 5,
            "unit": text("claim-unit"),
            "sources": ["wire"],
        },
    ],
    "relations": [
        {
            "subject": "maduro",
            "type": "located-in",
            "object": "caracas",
            "sources": ["wire"],
            "note": text("relation-note"),
        }
    ],
}


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xss")
    data = folder / "xss.yaml"
    data.write_text(yaml.safe_dump(DATA, allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "timeline.cli",
            "build",
            str(data),
            "-o",
            str(folder / "out"),
            "--ner",
            "gazetteer",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return folder / "out" / "view.html"


@pytest.mark.browser
def test_payload_in_every_field_is_shown_as_text_and_never_runs(page: Tab, view: Path):  # noqa: F811
    page.open(view)
    page.wait_for("window.timelineView && window.timelineView.ready")
    seen: set[str] = set()

    def collect() -> None:
        shown = page.js("document.title + '\\n' + document.body.innerText")
        seen.update(tag for tag in SHOWN if text(tag) in shown)

    collect()
    for row in page.js("[...document.querySelectorAll('#events li')].map(r => r.dataset.id)"):
        page.pw.click(f'#events li[data-id="{row}"]')  # a real click on each timeline row
        collect()
    page.pw.mouse.click(*page.node_point("actor:maduro"))  # a real click on the node
    assert page.js("timelineView.network.getSelectedNodes()") == ["actor:maduro"]
    collect()

    assert sorted(set(SHOWN) - seen) == []
    assert page.js("typeof window.__xss") == "undefined"
    assert (
        page.js(
            "document.querySelectorAll('#details img, #details svg, #details iframe, "
            "#events img, #events svg, #events iframe').length"
        )
        == 0
    )
    page.screenshot("xss-every-field")
    page.assert_clean()  # no dialog, no request (an <img src=x> would make one), no error


@pytest.mark.browser
def test_the_payload_does_run_when_parsed_as_markup(page: Tab, tmp_path: Path):  # noqa: F811
    """The control: in a page that pastes it in as HTML, the same payload sets the flag and opens
    a dialog, so the test above would notice if the view ever did that."""
    control = tmp_path / "control.html"
    control.write_text(f"<!doctype html><title>control</title><p>{PAYLOAD}</p>", encoding="utf-8")
    page.open(control)
    page.wait_for("window.__xss === 1")
    page.wait_for("document.querySelectorAll('img, svg, iframe').length >= 2")
    assert page.dialogs


@pytest.mark.browser
def test_payload_in_every_field_never_runs_in_the_timelinejs_page(page: Tab, view: Path):  # noqa: F811
    """TimelineJS renders slide text as HTML: every curated string is escaped before."""
    data = view.parent.parent / "xss.yaml"
    html = view.parent.parent / "story.html"
    result = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "export", str(data), "-f", "timelinejs-html"]
        + ["-o", str(html)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    page.open(html)
    page.wait_for("document.querySelectorAll('.tl-slide').length > 0")
    shown = ""
    for _ in range(page.js("document.querySelectorAll('.tl-slide').length")):
        shown += page.js("document.body.innerText")
        page.js("window.timeline.goToNext()")
    assert text("event-title") in shown and text("claim-statement") in shown
    assert page.js("typeof window.__xss") == "undefined"
    page.assert_clean()
