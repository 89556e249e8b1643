"""Headless Debian Chromium for browser tests, through Playwright, with no network at all.

Use it from a test module::

    from browser import Tab, page  # noqa: F401  (`page` is a pytest fixture)

    @pytest.mark.browser
    def test_loads(page: Tab, tmp_path):
        page.open(tmp_path / "view.html")
        page.wait_for("window.timelineView && window.timelineView.ready")
        page.assert_clean()          # 0 console errors, 0 page errors, 0 dialogs, 0 requests

`page.pw` is the Playwright `Page`. Every request other than the file being opened is aborted
and recorded in `page.requests`; alert/confirm/prompt dialogs are dismissed and recorded in
`page.dialogs` (an XSS payload calling alert() shows up there). Chromium is
``/usr/bin/chromium`` (override with ``TIMELINE_CHROMIUM``); Playwright never downloads a browser.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("TIMELINE_CHROMIUM", "/usr/bin/chromium")
# Flags measured in /work/shared/FINDINGS.md: without them Chromium tries to reach the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


_CENTRE = """id => {
  const n = timelineView.network;
  n.moveTo({position: n.getPositions([id])[id], scale: 1.5, animation: false});
}"""
_WHERE = """id => {
  const n = timelineView.network;
  const p = n.canvasToDOM(n.getPositions([id])[id]);
  const r = document.getElementById('network').getBoundingClientRect();
  return [r.left + p.x, r.top + p.y];
}"""


@dataclass
class Tab:
    """One browser page with everything it tried to do recorded."""

    pw: Any
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    url: str = ""

    def open(self, path: str | Path, timeout_ms: float = 60_000) -> None:
        """Load a local file (file:// URL)."""
        self.url = Path(path).resolve().as_uri()
        self.pw.goto(self.url, wait_until="load", timeout=timeout_ms)

    def wait_for(self, expression: str, timeout_ms: float = 60_000) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value.

        Polled from Python: Playwright's own `wait_for_function` evaluates strings with eval(),
        which a page's Content-Security-Policy (rightly) refuses.
        """
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            value = self.js(f"() => ({expression})")
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout_ms / 1000:g} s: {expression}")
            self.pw.wait_for_timeout(25)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.pw.evaluate(expression, arg)

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot to tests/artifacts/NAME.png and return its path."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.pw.screenshot(path=str(path), full_page=True)
        return path

    def node_point(self, node: str) -> tuple[float, float]:
        """Page coordinates of a timeline view's network node, after centring the view on it and
        once the page holds still: a focus animation started by an earlier click, or the panels
        filling in beside the network, would otherwise move the node between measuring and
        pointing."""
        for _ in range(40):
            self.js(_CENTRE, node)
            first = self.js(_WHERE, node)
            time.sleep(0.15)
            if self.js(_WHERE, node) == first:
                return (first[0], first[1])
        raise AssertionError(f"{node} kept moving on the page")

    def assert_clean(self) -> None:
        """No console error, uncaught exception, dialog or network request so far."""
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.dialogs == []
        assert self.requests == []


_session: dict[str, Any] = {}


def chromium(config: pytest.Config) -> Any:
    """The session's headless Chromium (a Playwright persistent context), started on first use.

    It is closed, and its fresh profile directory removed, when the test session ends; test
    modules then need to import only the `page` fixture.
    """
    if "context" in _session:
        return _session["context"]
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium; "
            "tests/run.sh does it) or set TIMELINE_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="timeline-chromium-")
    playwright = sync_playwright().start()
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000},
        service_workers="block",
    )

    def close() -> None:
        _session.clear()
        context.close()
        playwright.stop()
        shutil.rmtree(profile, ignore_errors=True)

    config.add_cleanup(close)
    _session["context"] = context
    return context


@pytest.fixture()
def page(request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A fresh page that aborts and records every request but the file it opens."""
    pw = chromium(request.config).new_page()
    tab = Tab(pw)

    def route(r: Any) -> None:
        if r.request.url == tab.url and r.request.is_navigation_request():
            r.continue_()
        else:
            tab.requests.append(r.request.url)
            r.abort()

    def request(req: Any) -> None:
        # Requests the router never sees (file:// sub-resources) are recorded here.
        if req.url != tab.url and req.url not in tab.requests:
            tab.requests.append(req.url)

    pw.route("**/*", route)
    pw.on("request", request)
    pw.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    pw.on("pageerror", lambda e: tab.page_errors.append(str(e)))

    def dialog(d: Any) -> None:
        tab.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    pw.on("dialog", dialog)
    try:
        yield tab
    finally:
        pw.close()
