"""Every `timeline` example in the console blocks of the README and the docs pages prints what
it shows (run in order, the README's tour first and then each page, in a copy of the data, so an
export's file is there for the import after it, and the tour's build is there for the pages).

Lines shown as `...` stand for output left out; the shown lines around them must appear in the
real output, in order and consecutive.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import docs

ROOT = Path(__file__).resolve().parent.parent
DOCS = docs.text()
CHECKED = {
    "validate",
    "build",
    "query",
    "actors",
    "path",
    "relations",
    "entities",
    "export",
    "import",
    "extract",
    "merge",
}


def examples() -> list[tuple[str, list[str]]]:
    found = []
    for block in re.findall(r"```console\n(.*?)```", DOCS, re.S):
        for command, output in re.findall(
            r"^\$ (timeline [^\n]*)\n(.*?)(?=^\$ |\Z)", block, re.S | re.M
        ):
            words = shlex.split(command)
            hostile = "broken.yaml" in command or "lookalike" in command  # checked elsewhere
            if words[1] in CHECKED and "|" not in words and "&" not in words and not hostile:
                found.append((command, output.rstrip("\n").splitlines()))
    return found


def segments(shown: list[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == "...":
            parts.append([])
        else:
            parts[-1].append(line)
    return [p for p in parts if p]


def contains_in_order(actual: list[str], parts: list[list[str]]) -> bool:
    pos = 0
    for part in parts:
        for i in range(pos, len(actual) - len(part) + 1):
            if actual[i : i + len(part)] == part:
                pos = i + len(part)
                break
        else:
            return False
    return True


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "data", work / "data")
    shutil.copytree(ROOT / "tests" / "gold", work / "tests" / "gold")
    shutil.copytree(ROOT / "tests" / "data" / "sheets", work / "tests" / "data" / "sheets")
    shutil.copytree(ROOT / "tests" / "data" / "draft", work / "tests" / "data" / "draft")
    return work


def test_there_are_examples_to_check():
    assert len(examples()) >= 10


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_docs_example(command, shown, workdir):
    args = shlex.split(command)[1:]
    result = subprocess.run(
        [sys.executable, "-m", "timeline.cli", *args], cwd=workdir, capture_output=True, text=True
    )
    actual = (result.stdout + result.stderr).rstrip("\n").splitlines()
    actual = [line.rstrip() for line in actual]
    parts = [[line.rstrip() for line in part] for part in segments(shown)]
    if len(parts) == 1 and "..." not in shown:
        assert actual == parts[0]
    else:
        assert contains_in_order(actual, parts), "\n".join(actual)
