"""The README's commands are true: set-up works on a fresh copy, examples validate."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.load import read_dataset

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


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


def test_validate_examples_print_what_the_readme_shows(tmp_path):
    shown = re.search(r"\$ timeline validate data/events.yaml\n(.*?)\n```", README, re.S)
    assert shown
    result = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "validate", "data/events.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == shown.group(1).strip()
    broken = re.search(r"\$ timeline validate broken.yaml\n(.*?)\n```", README, re.S)
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
