"""The interactive view: its data, its self-contained page, and its behaviour in real Chromium."""

from __future__ import annotations

import importlib.util
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from browser import Tab, page  # noqa: F401  (`page` is the browser fixture)
from timeline.cli import app
from timeline.export.html import MAX_NODES, render_view, script_json, view_data
from timeline.graph import Build, build_graph
from timeline.load import read_dataset
from timeline.models import Dataset

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_view", ROOT / "bench" / "bench_view.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_of(dataset: Dataset) -> Build:
    # No entity extraction: the view's behaviour is tested on curated participation alone.
    return Build(dataset, build_graph(dataset))


@pytest.fixture(scope="module")
def mini_build(mini_path: Path) -> Build:
    return build_of(read_dataset(mini_path))


def write_view(build: Build, folder: Path, **kw: Any) -> Path:
    path = folder / "view.html"
    path.write_bytes(render_view(build, **kw))
    return path


def open_view(page: Tab, path: Path, mode: str = "actors", hash: str = "") -> None:  # noqa: F811
    """Open a view and wait until it is interactive, in the given network mode."""
    page.open(path)
    if hash:
        page.pw.goto(path.resolve().as_uri() + hash)
    page.wait_for("window.timelineView && window.timelineView.ready")
    if mode != "actors":
        page.js("m => timelineView.setMode(m)", mode)
        page.wait_for("window.timelineView.ready")


# --- the data ---------------------------------------------------------------------------------


def test_events_in_date_order_with_precision(mini_build: Build) -> None:
    data = view_data(mini_build)
    assert [(e["id"], e["label"], e["precision"]) for e in data["events"]] == [
        ("event:releases", "~ Jan 2026", "month"),
        ("event:capture", "3 Jan 2026", "day"),
        ("event:oil-deal", "~ week of 5 Jan 2026", "day"),
    ]
    assert data["events"][2]["asStated"] == "last week"
    assert data["aggregated"] is False and data["notice"] is None


def test_claim_whose_verification_differs_is_marked(mini_build: Build) -> None:
    data = view_data(mini_build)
    releases = data["events"][0]
    assert releases["disputed"] is True
    claim = data["claims"][releases["claims"][0]]
    assert claim["value"] == 116 and claim["claimedBy"] == "Venezuelan interim government"
    assert claim["verifications"] == [
        {
            "by": "Justicia, Encuentro y Perdón",
            "value": 70,
            "approximate": True,
            "verdict": "partially-confirmed",
            "note": None,
            "differs": True,
            "date": None,
        }
    ]
    assert [e["disputed"] for e in data["events"][1:]] == [False, False]


def test_network_has_a_node_per_actor_and_event(mini_build: Build) -> None:
    from timeline.export.html import network_data

    net = network_data(view_data(mini_build))["events"]
    graph_nodes = {
        n for n, d in mini_build.graph.nodes(data=True) if d["type"] in ("actor", "event")
    }
    assert {n["id"] for n in net["nodes"]} == graph_nodes
    roles = sorted((e["from"], e["to"], e["label"]) for e in net["edges"])
    assert roles == [
        ("actor:interim-government", "actor:caracas", "located-in"),
        ("event:capture", "actor:caracas", "location"),
        ("event:capture", "actor:nicolas-maduro", "target"),
        ("event:capture", "actor:us-forces", "agent"),
        ("event:releases", "actor:interim-government", "agent"),
        ("event:releases", "event:capture", "follows"),
    ]
    assert network_data(view_data(mini_build))["options"]["physics"]["stabilization"]["enabled"]


def test_aggregates_above_the_threshold(mini_build: Build) -> None:
    from timeline.export.html import network_data

    data = view_data(mini_build, max_nodes=4)
    assert data["aggregated"] is True
    assert data["notice"] == (
        "Large graph: 8 actors and events, more than the 4 the network draws smoothly. The "
        "network shows the 2 most connected actors and the events grouped by month and type "
        "(3 groups); the timeline lists every event."
    )
    assert [(b["id"], b["events"]) for b in data["bins"]] == [
        ("bin:2026-01:economic-measure", [2]),
        ("bin:2026-01:military-operation", [1]),
        ("bin:2026-01:prisoner-release", [0]),
    ]
    assert [e["node"] for e in data["events"]] == [
        "bin:2026-01:prisoner-release",
        "bin:2026-01:military-operation",
        "bin:2026-01:economic-measure",
    ]
    net = network_data(data)["events"]
    assert sorted(n["id"] for n in net["nodes"]) == [
        "actor:caracas",
        "actor:interim-government",
        "bin:2026-01:economic-measure",
        "bin:2026-01:military-operation",
        "bin:2026-01:prisoner-release",
    ]
    assert sorted((e["from"], e["to"], e["label"]) for e in net["edges"]) == [
        ("actor:interim-government", "actor:caracas", "located-in"),
        ("bin:2026-01:military-operation", "actor:caracas", "location ×1"),
        ("bin:2026-01:prisoner-release", "actor:interim-government", "agent ×1"),
    ]


def test_large_synthetic_graph_aggregates_by_default() -> None:
    b = _bench().synthetic_build(2000)
    data = view_data(b)
    assert len(data["actors"]) + len(data["events"]) == 2000 > MAX_NODES
    assert data["aggregated"] is True
    assert sum(a["node"] is not None for a in data["actors"]) == 250
    assert sorted(i for bin_ in data["bins"] for i in bin_["events"]) == list(range(1600))


# --- the page, as text ------------------------------------------------------------------------


def test_script_json_cannot_close_a_script_element() -> None:
    text = "</script><script>alert(1)</script> & <!-- \u2028"
    encoded = script_json({"t": text})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert "\u2028" not in encoded
    assert json.loads(encoded) == {"t": text}


def test_page_is_self_contained(mini_build: Build) -> None:
    page_html = render_view(mini_build).decode()  # noqa: F811
    # Two JSON data blocks, then vis-network and the app, inline.
    assert re.findall(r"^<script[^>]*>", page_html, re.M) == [
        '<script type="application/json" id="timeline-data">',
        '<script type="application/json" id="network-data">',
        "<script>",
        "<script>",
    ]
    assert page_html.count("</script>") == 4
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page_html, re.I)
    assert not re.search(r"\s(src|href)\s*=\s*\"(?!#)", page_html, re.I)
    assert "cdn" not in page_html.lower().replace("vis-network", "")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page_html)
    assert csp and csp.group(1).startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe-eval" not in csp.group(1) and "'unsafe-inline'" not in csp.group(1).split(";")[1]


# --- hostile text -----------------------------------------------------------------------------

XSS = {
    "img": "<img src=x onerror=alert(1)>",
    "script": "</script><script>alert(2)</script>",
    "attr": '"><svg onload=alert(3)>',
    "slot": "{{ app_js }} {{ data }}",
    "comment": "<!-- <iframe src=javascript:alert(4)> -->",
}


def xss_dataset() -> Dataset:
    """A valid dataset with an XSS payload in every text field the view shows."""
    img, script, attr, slot, comment = XSS.values()
    raw = {
        "dataset": {"title": f"T {img}", "description": f"D {script}"},
        "sources": [
            {
                "id": "s",
                "title": f"S {attr}",
                "publisher": f"P {slot}",
                "url": 'https://example.org/"><img/src=x/onerror=alert(5)>',
                "note": comment,
            }
        ],
        "actors": [
            {
                "id": "a",
                "name": f"A {img}",
                "kind": "person",
                "aliases": [f"AL {script}"],
                "description": f"AD {attr}",
            },
            {"id": "b", "name": f"B {slot}", "kind": "ngo"},
        ],
        "events": [
            {
                "id": "e",
                "title": f"E {img}",
                "date": "2026-01-03",
                "type": "statement",
                "summary": f"ES {script}",
                "date_note": f"EN {attr}",
                "sources": ["s"],
                "participants": [{"actor": "a", "role": "agent"}],
                "quotes": [{"text": f"Q {comment}", "speaker": "a"}],
            },
            {
                "id": "f",
                "title": f"F {slot}",
                "type": "other",
                "summary": f"FS {comment}",
                "date": {"relative_to": "e", "from_days": 1, "to_days": 3, "as_stated": f"R {img}"},
                "sources": ["s"],
                "participants": [{"actor": "b", "role": "target"}],
            },
        ],
        "claims": [
            {
                "id": "c",
                "about": "e",
                "statement": f"C {script}",
                "claimed_by": "a",
                "value": f"V {img}",
                "sources": ["s"],
                "verifications": [
                    {
                        "by": "b",
                        "value": f"W {slot}",
                        "verdict": "disputed",
                        "note": f"N {comment}",
                        "sources": ["s"],
                    }
                ],
            }
        ],
        "relations": [
            {
                "subject": "a",
                "type": "opposes",
                "object": "b",
                "sources": ["s"],
                "note": f"RN {img}",
            }
        ],
    }
    # Through the real loader, which resolves the relative date.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "xss.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        return read_dataset(path)


SHOWN = [
    "T <img src=x onerror=alert(1)>",
    "D </script><script>alert(2)</script>",
    'S "><svg onload=alert(3)>',
    "P {{ app_js }} {{ data }}",
    'https://example.org/"><img/src=x/onerror=alert(5)>',
    "A <img src=x onerror=alert(1)>",
    "AL </script><script>alert(2)</script>",
    'AD "><svg onload=alert(3)>',
    "B {{ app_js }} {{ data }}",
    "E <img src=x onerror=alert(1)>",
    "ES </script><script>alert(2)</script>",
    'EN "><svg onload=alert(3)>',
    "Q <!-- <iframe src=javascript:alert(4)> -->",
    "F {{ app_js }} {{ data }}",
    "FS <!-- <iframe src=javascript:alert(4)> -->",
    "R <img src=x onerror=alert(1)>",
    "C </script><script>alert(2)</script>",
    "V <img src=x onerror=alert(1)>",
    "W {{ app_js }} {{ data }}",
    "N <!-- <iframe src=javascript:alert(4)> -->",
]


def test_hostile_text_never_reaches_the_page_as_markup() -> None:
    from timeline.export.html import network_data

    b = build_of(xss_dataset())
    page_html = render_view(b).decode()  # noqa: F811
    for name, payload in XSS.items():
        if name != "slot":
            assert payload not in page_html
    # Template slots inside the data stay data: found only where the JSON holds them.
    data = view_data(b)
    in_json = (script_json(data) + script_json(network_data(data))).count(XSS["slot"])
    assert in_json > 0 and page_html.count(XSS["slot"]) == in_json
    assert "<title>T &lt;img src=x onerror=alert(1)&gt;</title>" in page_html
    assert len(re.findall(r"^<script", page_html, re.M)) == 4
    assert page_html.count("</script>") == 4


# --- the command ------------------------------------------------------------------------------


def test_view_command_prints_the_path_without_a_display(
    runner: Any, tmp_path: Path, mini_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_view(mini_build, tmp_path)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = runner.invoke(app, ["view", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == (
        "no display to open a browser on; open this file in a browser: "
        f"{(tmp_path / 'view.html').resolve()}\n"
    )
    result = runner.invoke(app, ["view", "--print", str(tmp_path / "view.html")])
    assert (result.exit_code, result.output) == (0, f"{(tmp_path / 'view.html').resolve()}\n")


def test_view_command_opens_a_browser_when_there_is_a_display(
    runner: Any, tmp_path: Path, mini_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    opened: list[str] = []
    write_view(mini_build, tmp_path)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = runner.invoke(app, ["view", str(tmp_path)])
    target = (tmp_path / "view.html").resolve()
    assert (result.exit_code, result.output) == (0, f"opened {target} in the browser\n")
    assert opened == [target.as_uri()]


def test_view_command_without_a_build_says_how_to_make_one(runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(app, ["view", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == (
        f"error: no view at {tmp_path / 'out' / 'view.html'}; build one "
        f"first: timeline build data/events.yaml -o {tmp_path / 'out'}/\n"
    )


def test_build_writes_the_view(runner: Any, tmp_path: Path, mini_path: Path) -> None:
    result = runner.invoke(app, ["build", str(mini_path), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "view.html").read_text(encoding="utf-8")
    assert "<title>Mini timeline</title>" in text


# --- in a real browser ------------------------------------------------------------------------

STATE = """({
  nodes: timelineView.nodes.get().filter(n => !n.hidden).map(n => n.id).sort(),
  rows: [...document.querySelectorAll('#events li')].filter(r => !r.hidden)
        .map(r => r.dataset.id),
  status: document.getElementById('status').textContent,
})"""


@pytest.mark.browser
def test_page_loads_offline_with_every_node(page: Tab, tmp_path: Path, mini_build: Build) -> None:  # noqa: F811
    open_view(page, write_view(mini_build, tmp_path))
    assert page.js("timelineView.mode") == "actors"
    assert page.js("timelineView.nodes.length") == 5
    assert page.js("timelineView.network.physics.physicsEnabled") is False
    page.pw.check('#mode input[value="events"]')
    page.wait_for("timelineView.ready && timelineView.mode === 'events'")
    assert page.js("timelineView.nodes.length") == 8
    assert page.js(STATE)["status"] == "Showing 3 of 3 events and 5 of 5 actors."
    assert page.js("document.title") == "Mini timeline"
    page.screenshot("view-mini")
    page.assert_clean()


@pytest.mark.browser
def test_shipped_data_view(page: Tab, tmp_path: Path, shipped: Dataset) -> None:  # noqa: F811
    b = build_of(shipped)
    open_view(page, write_view(b, tmp_path))
    assert page.js("timelineView.nodes.length") == len(shipped.actors)
    assert page.js("document.querySelectorAll('#events li').length") == len(shipped.events)
    page.screenshot("view-shipped")
    page.assert_clean()


@pytest.mark.browser
def test_timeline_click_selects_and_focuses_the_node(
    page: Tab,
    tmp_path: Path,
    mini_build: Build,  # noqa: F811
) -> None:
    open_view(page, write_view(mini_build, tmp_path), mode="events")
    page.pw.click('#events li[data-id="event:capture"]')
    assert page.js("timelineView.network.getSelectedNodes()") == ["event:capture"]
    page.wait_for("""(() => {
      const n = timelineView.network, p = n.getPositions(['event:capture'])['event:capture'];
      const v = n.getViewPosition();
      return Math.hypot(v.x - p.x, v.y - p.y) < 1 && Math.abs(n.getScale() - 1.2) < 0.01;
    })()""")
    assert page.js("document.querySelector('#events li.selected').dataset.id") == "event:capture"
    assert page.js("document.querySelector('#details h3').textContent") == (
        "US forces capture Maduro in Caracas"
    )
    page.assert_clean()


@pytest.mark.browser
def test_clicking_an_actor_highlights_its_events(
    page: Tab,
    tmp_path: Path,
    mini_build: Build,  # noqa: F811
) -> None:
    open_view(page, write_view(mini_build, tmp_path))
    x, y = page.node_point("actor:interim-government")
    page.pw.mouse.click(x, y)
    assert page.js("timelineView.network.getSelectedNodes()") == ["actor:interim-government"]
    assert page.js("[...document.querySelectorAll('#events li.hl')].map(r => r.dataset.id)") == [
        "event:releases"
    ]
    assert page.js("document.querySelector('#details h3').textContent") == (
        "Venezuelan interim government"
    )
    page.assert_clean()


@pytest.mark.browser
def test_tooltip_shows_date_sources_and_differing_verification(
    page: Tab,
    tmp_path: Path,
    mini_build: Build,  # noqa: F811
) -> None:
    open_view(page, write_view(mini_build, tmp_path), mode="events")
    x, y = page.node_point("event:releases")
    page.pw.mouse.move(x - 30, y - 30)
    page.pw.mouse.move(x, y, steps=5)
    page.wait_for("!document.getElementById('tooltip').hidden")
    tip = page.js("""(() => {
      const t = document.getElementById('tooltip');
      return {text: [...t.querySelectorAll('h3, p, li')].map(e => e.textContent),
              differs: [...t.querySelectorAll('.differs')].map(e => e.textContent)};
    })()""")
    assert tip["text"][:4] == [
        "⚠ Political prisoners freed",
        "~ Jan 2026 · month precision, approximate",
        "prisoner-release",
        "The interim government frees prisoners in stages.",
    ]
    assert "A wire report — Example Wire, 14 Jan 2026" in tip["text"]
    assert tip["differs"] == [
        "Justicia, Encuentro y Perdón: ~70 people — partially-confirmed ≠ differs from the claim"
    ]
    page.pw.mouse.move(5, 5)
    page.wait_for("document.getElementById('tooltip').hidden")
    page.assert_clean()


@pytest.mark.browser
def test_filters_hide_what_they_should(page: Tab, tmp_path: Path, mini_build: Build) -> None:  # noqa: F811
    open_view(page, write_view(mini_build, tmp_path), mode="events")
    page.pw.click("#filters summary")
    page.pw.uncheck('#types input[value="prisoner-release"]')
    state = page.js(STATE)
    assert state["rows"] == ["event:capture", "event:oil-deal"]
    assert state["nodes"] == [
        "actor:caracas",
        "actor:jep",
        "actor:nicolas-maduro",
        "actor:us-forces",
        "event:capture",
        "event:oil-deal",
    ]
    assert state["status"] == "Showing 2 of 3 events and 4 of 5 actors."
    page.pw.click("#reset")
    page.pw.uncheck('#kinds input[value="person"]')
    assert "actor:nicolas-maduro" not in page.js(STATE)["nodes"]
    assert len(page.js(STATE)["rows"]) == 3
    page.pw.click("#reset")
    # A date range hides events outside it, and the actors left without events.
    page.pw.fill("#date-from", "2026-01-04")
    state = page.js(STATE)
    assert state["rows"] == ["event:releases", "event:oil-deal"]
    assert state["nodes"] == ["actor:interim-government", "event:oil-deal", "event:releases"]
    assert state["status"] == "Showing 2 of 3 events and 1 of 5 actors."
    hidden_edges = page.js("timelineView.edges.get().filter(e => e.hidden).length")
    assert hidden_edges == 5
    page.pw.fill("#date-to", "2026-01-03")
    assert page.js(STATE)["rows"] == ["event:releases"]
    page.pw.click("#reset")
    assert page.js(STATE)["status"] == "Showing 3 of 3 events and 5 of 5 actors."
    page.assert_clean()


@pytest.mark.browser
def test_search_by_name_or_alias(page: Tab, tmp_path: Path, mini_build: Build) -> None:  # noqa: F811
    open_view(page, write_view(mini_build, tmp_path))
    page.pw.fill("#search", "JEP")
    assert page.js("timelineView.matches") == ["actor:jep"]
    assert page.js("timelineView.network.getSelectedNodes()") == ["actor:jep"]
    page.pw.fill("#search", "nicolas")  # no accent: matches "Nicolás Maduro"
    assert page.js("timelineView.matches") == ["actor:nicolas-maduro"]
    assert page.js("document.getElementById('search-status').textContent") == (
        "1 actor: Nicolás Maduro"
    )
    assert page.js("[...document.querySelectorAll('#events li.hl')].map(r => r.dataset.id)") == [
        "event:capture"
    ]
    page.pw.fill("#search", "zzz")
    assert page.js("document.getElementById('search-status').textContent") == "no actor matches"
    page.assert_clean()


@pytest.mark.browser
def test_xss_payloads_show_as_text_and_execute_nothing(page: Tab, tmp_path: Path) -> None:  # noqa: F811
    open_view(page, write_view(build_of(xss_dataset()), tmp_path), mode="events")
    seen: set[str] = set()

    def texts() -> None:
        body = page.js(
            "document.body.innerText + '\\n' + "
            "[...document.querySelectorAll('#details a')].map(a => a.href).join(' ')"
        )
        seen.update(s for s in SHOWN if s in body)

    texts()
    for i in range(2):
        page.js("i => timelineView.selectEvent(i)", i)
        texts()
    for name in ("A <img", "B {{"):
        page.pw.fill("#search", name)
        texts()
    # A real hover too: the tooltip is built the same way as the details panel.
    x, y = page.node_point("event:e")
    page.pw.mouse.move(x - 30, y - 30)
    page.pw.mouse.move(x, y, steps=5)
    page.wait_for("!document.getElementById('tooltip').hidden")
    assert page.js("document.querySelector('#tooltip h3').textContent") == "⚠ E " + XSS["img"]
    assert sorted(set(SHOWN) - seen) == []
    assert page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    # The only SVG is the page's own drawing: the time axis and the legend's glyphs.
    assert page.js(
        "[...document.querySelectorAll('svg')].every(s => s.matches('.axis-svg, .glyph'))"
    )
    assert page.js("document.scripts.length") == 4
    assert page.js("document.title") == "T " + XSS["img"]
    page.screenshot("view-xss")
    page.assert_clean()


@pytest.mark.browser
def test_aggregated_view_says_so_and_links_events_to_groups(
    page: Tab,
    tmp_path: Path,
    mini_build: Build,  # noqa: F811
) -> None:
    open_view(page, write_view(mini_build, tmp_path, max_nodes=4), mode="events")
    assert page.js("document.getElementById('notice').hidden") is False
    assert page.js("document.getElementById('notice').textContent").startswith(
        "Large graph: 8 actors and events"
    )
    assert page.js("timelineView.nodes.length") == 5
    page.pw.click('#events li[data-id="event:capture"]')
    assert page.js("timelineView.network.getSelectedNodes()") == ["bin:2026-01:military-operation"]
    page.assert_clean()


@pytest.mark.browser
@pytest.mark.slow
def test_large_graph_page_is_aggregated_and_interactive(page: Tab, tmp_path: Path) -> None:  # noqa: F811
    b = _bench().synthetic_build(2000)
    open_view(page, write_view(b, tmp_path))
    data = page.js(
        "({bins: timelineView.data.bins.length, nodes: timelineView.nodes.length,"
        " rows: document.querySelectorAll('#events li').length})"
    )
    assert data == {"bins": data["bins"], "nodes": 250, "rows": 1600}
    # the time axis counts events in a histogram (by type) instead of 1,600 bars
    assert page.js("document.querySelectorAll('#axis g.ev').length") == 0
    assert page.js("document.querySelectorAll('#axis path.col').length") > 0
    page.js("timelineView.setMode('events')")
    page.wait_for("timelineView.ready")
    assert page.js("timelineView.nodes.length") == 250 + data["bins"]
    assert page.js("document.getElementById('notice').hidden") is False
    page.screenshot("view-large-2000")
    page.assert_clean()
