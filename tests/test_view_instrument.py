"""The view as an analyst's instrument (#16): the time axis, the actor network, deep links,
keyboard and screen readers (axe-core), the table, print and a phone, on the shipped data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from browser import ARTIFACTS, Tab, page  # noqa: F401  (`page` is the browser fixture)
from timeline.export.html import EVENT_TYPES, TYPE_COLOUR, network_data, render_view, view_data
from timeline.graph import Build
from timeline.source import make_build

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "events.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
READY = "window.timelineView && window.timelineView.ready"


@pytest.fixture(scope="module")
def shipped_build() -> Build:
    # As `timeline build` makes it: the gazetteer links the names the texts mention.
    return make_build(SHIPPED, ner="gazetteer")


@pytest.fixture(scope="module")
def shipped_view(shipped_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("view") / "view.html"
    path.write_bytes(render_view(shipped_build))
    return path


@pytest.fixture(scope="module")
def mini_view(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mini") / "view.html"
    path.write_bytes(render_view(make_build(MINI, ner="none")))
    return path


def opened(page: Tab, path: Path, suffix: str = "") -> Tab:  # noqa: F811
    """Load the view fresh, at `suffix` (a query and/or fragment), until it is interactive."""
    if suffix:
        # the browser fixture lets only the page's own URL through: tell it the query
        page.url = path.resolve().as_uri() + suffix.split("#")[0]
        page.pw.goto(path.resolve().as_uri() + suffix, wait_until="load")
    else:
        page.open(path)
    page.wait_for(READY)
    return page


def shot(page: Tab, selector: str, name: str) -> Path:  # noqa: F811
    """A screenshot of one part of the page, saved beside page.screenshot()'s."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.pw.locator(selector).screenshot(path=str(path))
    return path


# --- the data ---------------------------------------------------------------------------------


def test_one_participant_per_actor_marked_when_the_text_names_it(shipped_build: Build) -> None:
    data = view_data(shipped_build)
    for e in data["events"]:
        who = [a for a, _, _ in e["participants"]]
        assert len(who) == len(set(who)), e["id"]
        assert all(
            "mentioned" not in role.split(", ") or role == "mentioned"
            for _, role, _ in e["participants"]
        )
    capture = next(e for e in data["events"] if e["id"] == "event:maduro-capture")
    forces = next(i for i, a in enumerate(data["actors"]) if a["id"] == "actor:us-armed-forces")
    assert [forces, "agent", True] in capture["participants"]


def test_focus_window_and_background_come_from_the_focus_rule(shipped_build: Build) -> None:
    from timeline.focus import frame

    data = view_data(shipped_build)
    rule = frame(shipped_build.dataset.events)
    assert data["focus"]["first"] == rule.first.isoformat() == "2026-01-01"
    assert data["focus"]["last"] == rule.last.isoformat()
    assert {data["events"][i]["id"] for i in data["focus"]["background"]} == {
        f"event:{i}" for i in rule.background
    }


def test_actor_network_links_actors_by_shared_events(shipped_build: Build) -> None:
    data = view_data(shipped_build)
    net = network_data(data)
    actors = net["actors"]
    assert {n["id"] for n in actors["nodes"]} == {a["id"] for a in data["actors"]}
    shared = [e for e in actors["edges"] if "events" in e]
    assert shared
    for e in shared:
        assert e["value"] == len(e["events"])
        types = [data["events"][i]["type"] for i in e["events"]]
        main = min(set(types), key=lambda t: (-types.count(t), EVENT_TYPES.index(t)))
        assert e["color"]["color"] == TYPE_COLOUR[main]
    # the actor-event network: one edge per actor and event, with the role
    pairs = [(e["from"], e["to"]) for e in net["events"]["edges"] if e["to"].startswith("actor:")]
    assert len(pairs) == len(set(pairs))
    assert any(e.get("label", "").endswith(" · named") for e in net["events"]["edges"])


# --- the network ------------------------------------------------------------------------------


@pytest.mark.browser
def test_actor_network_is_the_default_with_labels_apart(page: Tab, shipped_view: Path) -> None:  # noqa: F811
    opened(page, shipped_view)
    assert page.js("timelineView.mode") == "actors"
    assert page.js("timelineView.nodes.length") == 39
    assert page.js("timelineView.overlaps()") == []
    # readable at the default zoom: a 15 px label drawn at no less than 11 px
    assert page.js("timelineView.network.getScale()") >= 0.75
    styles = page.js("""(() => {
      const out = {};
      timelineView.data.actors.forEach(a => {
        const n = timelineView.nodes.get(a.node);
        (out[a.kind] = out[a.kind] || new Set()).add(n.shape + ' ' + n.color.background);
      });
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
    })()""")
    assert all(len(v) == 1 for v in styles.values())
    assert len({v[0] for v in styles.values()}) == len(styles)  # each kind its own look
    shot(page, "#network", "view-network")
    page.pw.check('#mode input[value="events"]')
    page.wait_for("timelineView.ready && timelineView.mode === 'events'")
    assert page.js("timelineView.nodes.length") == 39 + 32
    page.js("timelineView.setMode('actors')")
    page.wait_for(READY)
    assert page.js("timelineView.nodes.length") == 39
    page.assert_clean()


@pytest.mark.browser
def test_details_list_each_participant_once(page: Tab, shipped_view: Path) -> None:  # noqa: F811
    opened(page, shipped_view, "#event=maduro-capture")
    items = page.js("[...document.querySelectorAll('#details li')].map(li => li.textContent)")
    assert "agent: United States Armed Forces (also named in the text)" in items
    assert not any(i.startswith("mentioned: United States Armed Forces") for i in items)
    page.assert_clean()


# --- the time axis ----------------------------------------------------------------------------


@pytest.mark.browser
def test_time_axis_places_every_event_by_its_dates(page: Tab, shipped_view: Path) -> None:  # noqa: F811
    opened(page, shipped_view)
    bars = page.js("""[...document.querySelectorAll('#axis g.ev')].map(g => {
      const r = g.querySelector('rect.bar'), e = timelineView.data.events[+g.dataset.i];
      return {id: e.id, x: +r.getAttribute('x'), w: +r.getAttribute('width'),
              fill: r.getAttribute('fill'), cls: g.getAttribute('class'),
              approximate: e.approximate || Boolean(e.asStated), precision: e.precision,
              status: e.status, earliest: e.earliest, latest: e.latest};
    })""")
    assert len(bars) == 32
    x = {iso: page.js("d => timelineView.axis.x(d)", iso) for iso in ("2026-01-01", "2026-02-01")}
    focus_px = x["2026-02-01"] - x["2026-01-01"]
    by_id = {b["id"]: b for b in bars}
    # background spans (since ~2015) sit in the compressed years before the focus month
    assert by_id["event:venezuela-economic-collapse"]["x"] < x["2026-01-01"]
    assert "background" in by_id["event:venezuela-economic-collapse"]["cls"]
    assert focus_px > 0.5 * page.js("document.getElementById('axis').clientWidth")
    assert page.js("document.querySelectorAll('#axis rect.compressed, #axis path.break').length")
    # uncertain dates fade at both ends; month and year precision cover their span
    for b in bars:
        assert b["fill"].startswith("url(#fade-") == b["approximate"], b
        assert ("coarse" in b["cls"]) == (b["precision"] != "day"), b
    day = by_id["event:maduro-capture"]
    assert day["w"] < 0.05 * focus_px
    planned = [b for b in bars if b["status"] == "planned"]
    assert planned and all("status-planned" in b["cls"] for b in planned)
    page.js("document.getElementById('axis').style.maxHeight = 'none'")  # all of it, for the docs
    shot(page, "#timeaxis", "view-timeaxis")
    page.assert_clean()


def _drag(page: Tab, first: str, last: str) -> None:  # noqa: F811
    box = page.js(
        "(() => { const r = document.getElementById('axis').getBoundingClientRect();"
        " return [r.left, r.top, r.height]; })()"
    )
    x0 = box[0] + page.js("d => timelineView.axis.x(d)", first) + 2
    x1 = box[0] + page.js("d => timelineView.axis.x(d)", last) - 2
    y = box[1] + min(box[2] - 4, 200)
    page.pw.mouse.move(x0, y)
    page.pw.mouse.down()
    page.pw.mouse.move((x0 + x1) / 2, y, steps=3)
    page.pw.mouse.move(x1, y, steps=3)
    page.pw.mouse.up()


@pytest.mark.browser
def test_brushing_filters_and_selection_links_both_ways(page: Tab, mini_view: Path) -> None:  # noqa: F811
    opened(page, mini_view)
    _drag(page, "2026-01-03", "2026-01-04")
    assert page.js(
        "[document.getElementById('date-from').value, document.getElementById('date-to').value]"
    ) == ["2026-01-03", "2026-01-03"]
    rows = page.js(
        "[...document.querySelectorAll('#events li')].filter(r => !r.hidden).map(r => r.dataset.id)"
    )
    assert rows == ["event:releases", "event:capture"]
    shown = page.js("timelineView.nodes.get().filter(n => !n.hidden).map(n => n.id).sort()")
    assert "actor:jep" not in shown and "actor:nicolas-maduro" in shown
    # a click on the axis's empty space clears the window
    box = page.js(
        "(() => { const r = document.getElementById('axis').getBoundingClientRect();"
        " return [r.left, r.top]; })()"
    )
    page.pw.mouse.click(box[0] + 4, box[1] + 24)
    assert page.js("timelineView.shownEvents") == 3
    # bar -> timeline, details, network and address
    page.pw.click('#axis g.ev[data-i="1"] rect')
    assert page.js("document.querySelector('#events li.selected').dataset.id") == "event:capture"
    assert page.js("location.hash") == "#event=capture"
    assert sorted(page.js("timelineView.network.getSelectedNodes()")) == [
        "actor:caracas",
        "actor:nicolas-maduro",
        "actor:us-forces",
    ]
    # timeline -> bar
    page.pw.click('#events li[data-id="event:oil-deal"]')
    assert page.js("document.querySelector('#axis g.ev.selected').dataset.i") == "2"
    page.assert_clean()


@pytest.mark.browser
def test_play_steps_through_time_and_the_network_grows(page: Tab, shipped_view: Path) -> None:  # noqa: F811
    opened(page, shipped_view)
    seen = []
    page.js("timelineView.step(0)")
    for _ in range(40):
        seen.append(
            page.js("""({events: timelineView.shownEvents, actors: timelineView.shownActors,
              weight: timelineView.edges.get().filter(e => e.events && !e.hidden)
                        .reduce((t, e) => t + e.value, 0)})""")
        )
        page.pw.click("#step-forward")
    assert seen[0]["events"] < 10 < 32 == seen[-1]["events"]
    for a, b in zip(seen, seen[1:], strict=False):
        assert a["events"] <= b["events"] and a["actors"] <= b["actors"]
        assert a["weight"] <= b["weight"]
    assert page.js("document.getElementById('play-status').textContent").startswith("By 20")
    page.pw.click("#play")
    assert page.js("document.getElementById('play').getAttribute('aria-pressed')") == "true"
    page.pw.click("#play")
    assert page.js("document.getElementById('play').getAttribute('aria-pressed')") == "false"
    page.pw.click("#filters summary")
    page.pw.click("#reset")
    assert page.js("timelineView.shownEvents") == 32
    page.assert_clean()


@pytest.mark.browser
def test_sources_are_a_filter(page: Tab, tmp_path: Path) -> None:  # noqa: F811
    raw = yaml.safe_load(MINI.read_text())
    raw["sources"].append({"id": "radio", "title": "A radio report"})
    for e in raw["events"]:
        if e["id"] == "oil-deal":
            e["sources"] = ["radio"]
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    view = tmp_path / "view.html"
    view.write_bytes(render_view(make_build(path, ner="none")))
    opened(page, view)
    page.pw.click("#filters summary")
    page.pw.uncheck('#sources input[value="1"]')
    assert (
        page.js("[...document.querySelectorAll('#events li')].filter(r => !r.hidden).length") == 2
    )
    assert page.js("document.getElementById('filter-summary').textContent") == "(1 unticked)"
    page.assert_clean()


# --- links, embedding, keyboard ---------------------------------------------------------------


@pytest.mark.browser
def test_deep_links_open_an_item_and_the_address_follows(page: Tab, mini_view: Path) -> None:  # noqa: F811
    opened(page, mini_view, "#event=oil-deal")
    assert page.js("timelineView.selectedEvent") == 2
    assert page.js("document.querySelector('#events li.selected').dataset.id") == "event:oil-deal"
    page.js("location.hash = 'actor=jep'")
    page.wait_for("timelineView.selectedActor !== undefined")
    assert page.js("document.querySelector('#details h3').textContent") == (
        "Justicia, Encuentro y Perdón"
    )
    assert page.js("timelineView.network.getSelectedNodes()") == ["actor:jep"]
    page.pw.click('#events li[data-id="event:capture"]')
    assert page.js("location.hash") == "#event=capture"
    page.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("suffix", ["?embed", "#embed", "?embed#actor=jep"])
def test_embed_hides_the_controls(page: Tab, mini_view: Path, suffix: str) -> None:  # noqa: F811
    opened(page, mini_view, suffix)
    hidden = page.js(
        "['#controls', '#tables', '#legend'].map(s =>"
        " getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none", "none", "none"]
    assert page.js("getComputedStyle(document.getElementById('network')).display") != "none"
    if "actor" in suffix:
        assert page.js("timelineView.selectedActor") is not None
        page.pw.click('#events li[data-id="event:capture"]')
        assert page.js("location.hash") == "#event=capture&embed"
    page.assert_clean()


@pytest.mark.browser
def test_keyboard_reaches_and_moves_through_the_timeline(page: Tab, mini_view: Path) -> None:  # noqa: F811
    opened(page, mini_view)
    assert (
        page.js(
            'document.querySelectorAll(\'[tabindex]:not([tabindex="0"]):not([tabindex="-1"])\''
            ").length"
        )
        == 0
    )
    focused = []
    for _ in range(80):
        page.pw.keyboard.press("Tab")
        focused.append(
            page.js(
                "(() => { const a = document.activeElement;"
                " return a.dataset.id || a.id || a.tagName; })()"
            )
        )
        if focused[-1] == "event:oil-deal":
            break
    for needed in ["search", "play", "step-forward", "axis", "event:releases", "event:capture"]:
        assert needed in focused, (needed, focused)
    page.pw.keyboard.press("Shift+Tab")
    page.pw.keyboard.press("Enter")
    assert page.js("timelineView.selectedEvent") == 1
    page.pw.keyboard.press("ArrowDown")
    assert page.js("[timelineView.selectedEvent, document.activeElement.dataset.id]") == [
        2,
        "event:oil-deal",
    ]
    page.pw.keyboard.press("Home")
    assert page.js("timelineView.selectedEvent") == 0
    page.pw.keyboard.press("End")
    page.pw.keyboard.press("ArrowUp")
    page.pw.keyboard.press(" ")
    assert page.js("timelineView.selectedEvent") == 1
    assert page.js("document.querySelector('#events li[aria-current]').dataset.id") == (
        "event:capture"
    )
    # every control is a native, focusable element
    page.pw.focus("#axis")
    page.pw.keyboard.press("ArrowRight")
    assert page.js("timelineView.selectedEvent") == 2
    page.assert_clean()


@pytest.mark.browser
def test_table_of_events_and_actors_sorts(page: Tab, shipped_view: Path) -> None:  # noqa: F811
    opened(page, shipped_view)
    page.pw.click("#tables summary")
    page.wait_for("document.querySelectorAll('#event-table tbody tr').length === 32")
    assert page.js("document.querySelectorAll('#actor-table tbody tr').length") == 39
    first = "document.querySelector('#event-table tbody tr').dataset.id"
    assert page.js("document.querySelector('#event-table th').getAttribute('aria-sort')") == (
        "ascending"
    )
    page.pw.click("#event-table th:nth-child(1) button")
    assert page.js("document.querySelector('#event-table th').getAttribute('aria-sort')") == (
        "descending"
    )
    assert page.js(first) == page.js(
        "timelineView.data.events.reduce((m, e) =>"
        " e.earliest + e.latest > m.earliest + m.latest ? e : m).id"
    )
    page.pw.click("#actor-table th:nth-child(3) button")
    page.pw.click("#actor-table th:nth-child(3) button")
    top = page.js("document.querySelector('#actor-table tbody tr').dataset.id")
    most = max(page.js("timelineView.data.actors.map(a => a.events.length)"))
    assert page.js(f"timelineView.data.actors.find(a => a.id === '{top}').events.length") == most
    page.pw.click("#actor-table tbody tr:first-child button")
    assert page.js("location.hash") == "#actor=" + top.split(":", 1)[1]
    page.pw.locator("#tables").scroll_into_view_if_needed()
    shot(page, "#tables", "view-table")
    page.assert_clean()


# --- axe-core ---------------------------------------------------------------------------------


def _axe(page: Tab) -> list[dict[str, Any]]:  # noqa: F811
    from importlib import resources

    script = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()
    page.pw.evaluate(script)
    result = page.pw.evaluate("axe.run(document, {resultTypes: ['violations']})")
    ARTIFACTS.mkdir(exist_ok=True)
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
    (ARTIFACTS / "axe.json").write_text(json.dumps(found, indent=1))
    return found


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["actors", "events"])
def test_axe_core_finds_nothing_serious(page: Tab, shipped_view: Path, mode: str) -> None:  # noqa: F811
    pytest.importorskip("axe_playwright_python")
    opened(page, shipped_view, "#event=maduro-capture")
    page.js("m => timelineView.setMode(m)", mode)
    page.wait_for(READY)
    page.pw.click("#filters summary")
    page.pw.click("#tables summary")
    page.wait_for("document.querySelectorAll('#event-table tbody tr').length")
    found = _axe(page)
    assert [v for v in found if v["impact"] in ("serious", "critical")] == []
    page.assert_clean()


# --- print and phone --------------------------------------------------------------------------


@pytest.mark.browser
def test_print_shows_the_chronology_with_sources(page: Tab, shipped_view: Path) -> None:  # noqa: F811
    opened(page, shipped_view)
    page.pw.emulate_media(media="print")
    try:
        shown = page.js("""['main', '#controls', '#timeaxis', '#chronology'].map(s =>
          getComputedStyle(document.querySelector(s)).display)""")
        assert shown == ["none", "none", "none", "block"]
        items = page.js(
            "[...document.querySelectorAll('#chronology > ol > li')].map(li => li.innerText)"
        )
        assert len(items) == 32
        assert all("Sources" in i or "—" in i for i in items)
        source = page.js("timelineView.data.sources[0].title")
        assert all(source in i for i in items)
        page.screenshot("view-print")
        pdf = page.pw.pdf()
        assert pdf.startswith(b"%PDF")
    finally:
        page.pw.emulate_media(media="screen")
    page.assert_clean()


@pytest.mark.browser
def test_phone_layout(page: Tab, shipped_view: Path) -> None:  # noqa: F811
    page.pw.set_viewport_size({"width": 390, "height": 844})
    opened(page, shipped_view)
    assert page.js("document.documentElement.scrollWidth") <= 390
    boxes = page.js("""['#controls', '#timeaxis', '#network', '#side'].map(s => {
      const r = document.querySelector(s).getBoundingClientRect();
      return [r.left, r.top, r.width];
    })""")
    assert all(left >= 0 and width <= 390 for left, _, width in boxes)
    tops = [top for _, top, _ in boxes]
    assert tops == sorted(tops)  # one column
    assert page.js("document.getElementById('filters').open") is False
    page.screenshot("view-phone")
    page.assert_clean()


def test_docs_images_are_the_tests_screenshots() -> None:
    """docs/images holds copies of the network and time-axis screenshots the tests save."""
    for name in ("view-network", "view-timeaxis"):
        doc = ROOT / "docs" / "images" / f"{name}.png"
        assert doc.is_file() and doc.read_bytes()[:4] == b"\x89PNG"


def copy_screenshots() -> None:  # pragma: no cover - run by hand after a browser test run
    for name in ("view-network", "view-timeaxis"):
        shutil.copy(ARTIFACTS / f"{name}.png", ROOT / "docs" / "images" / f"{name}.png")
