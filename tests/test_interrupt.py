"""Interrupted builds: Ctrl-C (SIGINT) and SIGKILL at random (seeded) points of a real
`timeline build` leave the last good outputs byte-for-byte as they were, no half-written file
under an output's name, and a rebuild that works.

The child runs the real CLI entry point (`timeline.cli.main`) after printing "ready", so the
random points fall inside the build, not inside Python's own start-up (a Ctrl-C there, before
any of our code runs, is Python's to report).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("graph.ttl", "view.html")
# What a build folder shows: its outputs and links (`timeline.store`), and the cache.
SHOWN = {"graph.ttl", "view.html", "manifest.json", "store", "current", "builds", ".cache", ".lock"}
# What a build stages: a build folder under builds/, links beside OUT's, a folder being deleted.
TEMP = re.compile(
    r"^\.(current|graph\.ttl|view\.html|manifest\.json|store|(trash-)?[0-9a-f]{20})\.[0-9]+\.tmp$"
)
MESSAGE = "interrupted: stopped; no output file was left half-written"
CHILD = (
    "import sys, timeline.cli\n"
    "print('ready', flush=True)\n"
    "sys.argv = ['timeline', *sys.argv[1:]]\n"
    "timeline.cli.main()\n"
)
SEED = 8
POINTS = [signal.SIGINT] * 4 + [signal.SIGKILL] * 4


def _default_sigint() -> None:
    # A child started from a shell job without job control would inherit SIGINT ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(data: Path, out: Path, jobs: str | None = None) -> subprocess.Popen[bytes]:
    more = ["--jobs", jobs] if jobs else []
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            "build",
            str(data),
            "-o",
            str(out),
            "--ner",
            "gazetteer",
            *more,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
        cwd=ROOT,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    return proc


def build(data: Path, out: Path, jobs: str | None = None) -> float:
    """A complete build; returns the seconds it took after start-up (to place the signals)."""
    proc = start(data, out, jobs)
    began = time.monotonic()
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr.decode()[-3000:]
    assert b"wrote" in stdout or b"kept" in stdout  # kept: built before, by a kill too late
    return time.monotonic() - began


def contents(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def synth(n: int, seed: int, path: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "synth.py"),
            str(n),
            "-o",
            str(path),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [None, "2"], ids=["one-process", "with-workers"])
def test_interrupted_builds_keep_the_last_good_outputs(tmp_path: Path, jobs: str | None):
    """With --jobs 2, forked workers extract, write Turtle and render the view; the signal goes
    to the whole process group, as Ctrl-C in a terminal does, and still gives one line."""
    first = synth(150, 0, tmp_path / "first.yaml")
    second = synth(600, 1, tmp_path / "second.yaml")
    out = tmp_path / "out"
    build(first, out, jobs)
    good = contents(out)
    reference = tmp_path / "reference"
    duration = build(second, reference, jobs)
    new = contents(reference)
    assert new != good  # otherwise an interrupted build could not be told from a finished one
    if jobs:
        serial = tmp_path / "serial"
        build(second, serial)
        assert contents(serial) == new  # workers change how fast, never what is written

    rng = random.Random(SEED)
    interrupted = 0
    for sig in POINTS:
        proc = start(second, out, jobs)
        time.sleep(rng.uniform(0.02, duration * 0.9))
        os.killpg(proc.pid, sig)
        stdout, stderr = proc.communicate(timeout=600)
        text = stderr.decode()
        assert "Traceback" not in text
        if proc.returncode == 0 or contents(out) == new:
            # It finished writing before the signal: the new outputs are the last good ones.
            good = new
        finished = proc.returncode == 0 or (
            # the signal landed after the last output was in place, as Python was exiting
            proc.returncode == -signal.SIGINT
            and contents(out) == new
            and "wrote" in stdout.decode()
        )
        if finished:
            pass
        elif sig == signal.SIGINT:
            assert proc.returncode == 130
            assert text.splitlines() == [MESSAGE]
            interrupted += 1
        else:
            assert proc.returncode == -signal.SIGKILL
            interrupted += 1
        assert contents(out) == good
        names = [p.name for p in out.iterdir()] + [p.name for p in (out / "builds").iterdir()]
        leftovers = [n for n in names if n not in SHOWN and not re.fullmatch("[0-9a-f]{20}", n)]
        assert all(TEMP.match(n) for n in leftovers), leftovers
        if sig == signal.SIGINT:
            # Ctrl-C unwinds through the writer, which removes what it staged.
            assert leftovers == []
        if good == new:
            # The signal came too late. Start again from the first dataset in a new folder:
            # a finished build stays in builds/, and every later run would only switch to it.
            shutil.rmtree(out)
            build(first, out, jobs)
            good = contents(out)
    assert interrupted >= len(POINTS) - 2

    # A rebuild after all that works and writes exactly what an undisturbed build writes.
    build(second, out, jobs)
    assert contents(out) == new
    if jobs:  # no worker outlives its build
        time.sleep(0.5)
        left = subprocess.run(["pgrep", "-f", str(second)], capture_output=True, text=True)
        assert left.stdout == "", left.stdout
