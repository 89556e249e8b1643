"""The export examples of docs/exports.md print what the page shows."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import docs

ROOT = Path(__file__).resolve().parent.parent
# the README and the docs pages as one text, from the exports page's title on
SECTION = docs.text().split("\n# Exports and triple stores\n", 1)[1]


def examples() -> list[tuple[str, str]]:
    """(command, expected output) for each `$ timeline export` line of the first bash block."""
    block = re.search(r"```bash\n(.*?)```", SECTION, re.S)
    assert block
    found = re.findall(
        r"^\$ (timeline export [^\n]*)\n(.*?)(?=^\$ |\Z)", block.group(1), re.S | re.M
    )
    return [(cmd, out) for cmd, out in found]


@pytest.mark.slow
def test_readme_export_examples(tmp_path):
    (tmp_path / "data").symlink_to(ROOT / "data")
    cases = examples()
    assert len(cases) == 5
    for command, expected in cases:
        pipeline = command.split("#")[0].strip()
        args, _, after = pipeline.partition(" | ")
        run = subprocess.run(
            [sys.executable, "-m", "timeline.cli", *shlex.split(args)[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        output = run.stdout
        if after:  # only `sed -n 1,1p` is used: the first line
            assert after == "sed -n 1,1p"
            output = output.splitlines(keepends=True)[0]
        assert output == expected, command
    assert (tmp_path / "out" / "timeline.csv.zip").is_file()
