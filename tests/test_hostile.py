"""Hostile and broken input through the real CLI: exit 1, exact located messages, no traceback,
no code run, and the previous build's output folder byte-for-byte unchanged.

Each input lives in tests/hostile/cases/ (small files, committed) or is generated below (big
ones); tests/hostile/expected.yaml lists the exact problem lines `timeline build` prints for each.
To add a case: drop the file in cases/, run it by hand, check the message helps a person fix the
file, and copy the lines into expected.yaml.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from timeline.load import MAX_BYTES

HERE = Path(__file__).resolve().parent
CASES = HERE / "hostile" / "cases"
EXPECTED: dict[str, list[str]] = yaml.safe_load(
    (HERE / "hostile" / "expected.yaml").read_text(encoding="utf-8")
)
MINI = HERE / "data" / "mini.yaml"
# A bomb that expanded would blow through this; a Python that loads the CLI needs ~100 MB.
MEMORY_LIMIT = 1536 * 2**20

HEAD = """sources:
  - id: wire
    title: A wire report
actors:
  - id: caracas
    name: Caracas
    kind: city
events:
"""
EVENT = """  - id: {id}
    title: {title}
    date: "{date}"
    type: arrest
    summary: s
    sources: [wire]
"""


def _huge_string(path: Path) -> None:
    path.write_text(HEAD + EVENT.format(id="capture", title="x" * 10_000_000, date="2026-01-03"))


def _huge_id(path: Path) -> None:
    path.write_text(HEAD + EVENT.format(id="a" * 1_000_000, title="t", date="2026-01-03"))


def _over_the_size_limit(path: Path) -> None:
    # Sparse: 512 MiB on paper, nothing on disk; the loader must refuse it without reading it.
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)


def _big_file_late_error(path: Path) -> None:
    events = [EVENT.format(id=f"e{i}", title=f"Event {i}", date="2026-01-03") for i in range(9_999)]
    events.append(EVENT.format(id="e9999", title="Last", date="2026-02-30"))
    path.write_text(HEAD + "".join(events))


def _deep_block_nesting(path: Path) -> None:
    lines = [f"{'  ' * (i + 1)}k{i}:\n" for i in range(3000)]
    path.write_text("events:\n" + "".join(lines) + "  " * 3001 + "x\n")


def _folder_without_yaml(path: Path) -> None:
    path.mkdir()
    (path / "notes.txt").write_text("events: []\n")


def _missing(path: Path) -> None:
    pass


GENERATED: dict[str, Callable[[Path], None]] = {
    "huge-string.yaml": _huge_string,
    "huge-id.yaml": _huge_id,
    "huge-file-over-limit.yaml": _over_the_size_limit,
    "big-file-late-error.yaml": _big_file_late_error,
    "deep-block-nesting.yaml": _deep_block_nesting,
    "folder-without-yaml": _folder_without_yaml,
    "missing-file.yaml": _missing,
}
COMMITTED = sorted(p.name for p in CASES.iterdir())


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under `folder`: its bytes, inode and modification time (a file replaced by an
    identical copy still counts as changed)."""
    return {
        str(p.relative_to(folder)): (
            os.readlink(p) if p.is_symlink() else p.read_bytes(),
            p.lstat().st_ino,
            p.lstat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


@pytest.fixture(scope="module")
def last_good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a real, successful build that every bad build must leave alone."""
    out = tmp_path_factory.mktemp("last-good") / "out"
    subprocess.run(
        [sys.executable, "-m", "timeline.cli", "build", str(MINI), "-o", str(out), "--ner", "none"],
        check=True,
        capture_output=True,
    )
    assert {p.name for p in out.iterdir()} == {
        "graph.ttl",
        "view.html",
        "manifest.json",
        "store",
        "current",
        "builds",
        ".cache",
        ".lock",
    }
    return out


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def test_the_corpus_is_complete():
    assert sorted(EXPECTED) == sorted([*COMMITTED, *GENERATED])
    assert len(EXPECTED) >= 40
    assert all(lines for lines in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_input_is_refused_cleanly(name: str, last_good: Path, tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    target = work / name
    if name in GENERATED:
        GENERATED[name](target)
    else:
        shutil.copyfile(CASES / name, target)
    before_work = sorted(p.name for p in work.iterdir())
    before = snapshot(last_good)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env["COLUMNS"] = "80"

    result = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "build", name, "-o", str(last_good)],
        cwd=work,
        capture_output=True,
        timeout=300,
        env=env,
        preexec_fn=_limit_memory,
    )

    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    assert result.returncode == 1, stderr[-2000:]
    expected = EXPECTED[name]
    n = len(expected)
    summary = f"{n} problem{'s' if n != 1 else ''} found; nothing was written"
    assert stderr.splitlines() == [*expected, summary]
    # No terminal control sequence from the data reaches the terminal.
    assert "\x1b" not in stderr
    assert result.stdout == b""
    assert snapshot(last_good) == before
    # Nothing ran: no file appeared beside the input (e.g. `touch PWNED` from a python tag).
    assert sorted(p.name for p in work.iterdir()) == before_work
