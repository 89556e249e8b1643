"""The README's commands are true: set-up works on a fresh copy, examples validate; the README
and the pages under docs/ link to each other, with no dead link and no orphan page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import docs
from timeline.load import read_dataset

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = docs.text()  # the README, then every docs page: where the examples are


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOCS, re.S)


def setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_two_setup_commands_and_ci_runs_the_test_one():
    install_and_build, run_tests = setup_commands()
    assert install_and_build.endswith("timeline build data/events.yaml -o out/")
    assert run_tests == "bash tests/run.sh"
    assert "bash tests/run.sh" in (ROOT / ".ci" / "run").read_text()


def test_yaml_example_is_the_mini_dataset(tmp_path, mini):
    (example,) = blocks("yaml")
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    assert read_dataset(path).model_dump() == mini.model_dump()


def test_validate_examples_print_what_the_docs_show(tmp_path):
    shown = re.search(r"\$ timeline validate data/events.yaml\n(.*?)\n```", DOCS, re.S)
    assert shown
    result = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "validate", "data/events.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == shown.group(1).strip()
    broken = re.search(r"\$ timeline validate broken.yaml\n(.*?)\n```", DOCS, re.S)
    assert broken
    (tmp_path / "broken.yaml").write_text(
        "events:\n  - id: capture\n    title: US forces capture Maduro\n"
        '    date: "2026-01-32"\n    type: militry-operation\n    summary: x\n'
        "    participants:\n      - {actor: maduro, role: target}\n    sources: [story]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "validate", "broken.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == broken.group(1).strip()


@pytest.mark.slow
def test_install_and_build_command_works_on_a_fresh_copy(tmp_path):
    """Runs the README's first command, as written, in a clean copy of the project."""
    copy = tmp_path / "timeline"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "out",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".mypy_cache",
            ".ruff_cache",
            "artifacts",
            ".timeline-cache",
            "results",
        ),
    )
    install_and_build, _ = setup_commands()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        ["bash", "-c", install_and_build],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (copy / "out" / "graph.ttl").stat().st_size > 10_000


# --- the README and docs/ as a set of pages ---------------------------------------------------


def relative_links(page: Path) -> list[str]:
    """The targets of the page's relative links and images (outside code blocks), anchors cut."""
    prose = re.sub(r"^ *```.*?^ *```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", prose)
    return [
        target.split("#", 1)[0]
        for target in targets
        if not re.match(r"[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")
    ]


def test_every_docs_page_is_a_page_the_tests_run_and_the_readme_links():
    on_disk = sorted((ROOT / "docs").glob("*.md"))
    assert sorted(docs.PAGES[1:]) == on_disk  # no orphan page, no page missing
    linked = {(ROOT / target).resolve() for target in relative_links(docs.README)}
    assert [page for page in on_disk if page.resolve() not in linked] == []


def test_no_dead_relative_link():
    dead = [
        f"{page.relative_to(ROOT)}: {target}"
        for page in docs.PAGES
        for target in relative_links(page)
        if not (page.parent / target).exists()
    ]
    assert dead == []


def test_every_docs_page_links_back_to_the_readme():
    for page in docs.PAGES[1:]:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("# "), page.name
        assert "../README.md" in relative_links(page), page.name


def test_the_readme_stays_a_newcomers_page():
    assert len(README.splitlines()) < 250
    assert "## A five-minute tour" in README and "## Read on" in README
