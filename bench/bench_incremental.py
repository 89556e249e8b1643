"""Incremental rebuilds: `timeline build --cache` after editing one event, against a full build.

    .venv/bin/python bench/bench_incremental.py 10000 100000

For each N, a folder from `bench/synth.py N --per-file 1000` is built as a user builds it, each
command a fresh process timed from start to exit (wall time, peak RSS of the command and its
workers): a full build without cache; a first build with `--cache`; the same again with nothing
changed; after editing one event's summary (the patch path); after editing another's title;
after correcting one event's date by a day (it stays in its place in date order: patched in
place); after moving another's date by a year, and after adding a participant to a third (the
view is laid out again); after adding an event (the full cached path). After the day's
correction, the participant and the added event, the outputs are compared byte for byte with a
full build of the same data. Results print as a
Markdown table and go to bench/results/incremental.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import synth  # noqa: E402

STEPS = ["full build, no cache", "first build with --cache", "unchanged, cached",
         "one summary edited", "one title edited", "one day corrected", "one date moved",
         "one participant added", "one event added"]


def timed(args: list[str]) -> tuple[float, float, str]:
    """Run `timeline ARGS`: wall seconds, peak RSS in MB (largest process), its output."""
    exe = Path(sys.executable).with_name("timeline")
    start = time.perf_counter()
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"timeline {' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def edit(folder: Path, file: str, n: int, pattern: str, replace: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n  - id: ")
    new = re.sub(pattern, replace, blocks[n + 1], count=1)
    assert new != blocks[n + 1], f"nothing to edit in event {n} of {file}"
    blocks[n + 1] = new
    path.write_text("\n  - id: ".join(blocks), encoding="utf-8")


def day_to_correct(folder: Path) -> tuple[str, str, str]:
    """(event id, date, the day before): an event dated by one day that a day earlier still
    sorts between the same neighbours, in the same month, and that no event is dated
    relative to. Found by another process, so that the dataset it reads neither stays in this
    one nor counts in the next command's peak RSS (a forked child starts with its parent's)."""
    out = subprocess.run([sys.executable, __file__, "--day-to-correct", str(folder)],
                         capture_output=True, text=True, check=True).stdout
    event, old, new = json.loads(out)
    return event, old, new


def _day_to_correct(folder: Path) -> tuple[str, str, str]:
    from datetime import timedelta

    from timeline.load import read_dataset

    ds = read_dataset(folder)
    anchors = {e.when.relative_to for e in ds.events if e.when.relative_to}
    order = ds.events_by_date()
    for before, e in zip(order[len(order) // 2:], order[len(order) // 2 + 1:], strict=False):
        when = e.when
        day = when.earliest - timedelta(days=1)
        if when.precision == "day" and not (when.is_range or when.approximate or
                                            when.relative_to or e.id in anchors) \
                and before.when.earliest < day and day.month == when.earliest.month:
            return e.id, str(when), day.isoformat()
    raise SystemExit("no event whose date can be corrected in place")


def redate(folder: Path, event: str, old: str, new: str) -> None:
    for path in sorted(folder.glob("events-*.yaml")):
        text = path.read_text(encoding="utf-8")
        at = text.find(f"\n  - id: {event}\n")
        if at >= 0:
            end = text.find("\n  - id: ", at + 1)
            end = len(text) if end < 0 else end
            block = text[at:end]
            assert f'date: "{old}"' in block
            path.write_text(text[:at] + block.replace(f'date: "{old}"', f'date: "{new}"', 1)
                            + text[end:], encoding="utf-8")
            return
    raise SystemExit(f"event {event} not found")


def run(n: int, work: Path) -> dict[str, Any]:
    data, cache, out = work / "data", work / "cache", work / "out"
    synth.write(n, data, seed=0, per_file=1000)
    build = ["build", str(data), "--ner", "gazetteer"]
    rows: dict[str, Any] = {}

    def identical() -> bool:
        """Whether the outputs are those of a full build of the data as it is now."""
        shutil.rmtree(work / "fresh", ignore_errors=True)
        timed([*build, "-o", str(work / "fresh")])
        return all((out / f).read_bytes() == (work / "fresh" / f).read_bytes()
                   for f in ("graph.ttl", "view.html"))

    def step(name: str, args: list[str]) -> None:
        seconds, rss, output = timed(args)
        cache_line = next((ln.strip() for ln in output.splitlines() if "cache:" in ln), "")
        rows[name] = {"seconds": seconds, "rss_mb": rss, "cache": cache_line}
        print(f"  N={n:,} {name}: {seconds:.1f} s, {rss:,.0f} MB  {cache_line}", flush=True)

    step(STEPS[0], [*build, "-o", str(work / "full")])
    shutil.rmtree(work / "full")
    step(STEPS[1], [*build, "-o", str(out), "--cache", str(cache)])
    step(STEPS[2], [*build, "-o", str(out), "--cache", str(cache)])
    edit(data, "events-0002.yaml", 3, r"\n    summary: >-\n      ",
         "\n    summary: >-\n      Edited for the benchmark. ")
    step(STEPS[3], [*build, "-o", str(out), "--cache", str(cache)])
    edit(data, "events-0003.yaml", 5, r"\n    title: (.*)\n", r"\n    title: 'Revised: \1'\n")
    step(STEPS[4], [*build, "-o", str(out), "--cache", str(cache)])
    event, old, new = day_to_correct(data)
    redate(data, event, old, new)
    step(STEPS[5], [*build, "-o", str(out), "--cache", str(cache)])
    same = identical()  # the patched outputs, and below those of the full cached path
    edit(data, "events-0004.yaml", 7, r'\n    date: "(\d{4})',
         lambda m: f'\n    date: "{int(m.group(1)) - 1}')  # type: ignore[arg-type]
    step(STEPS[6], [*build, "-o", str(out), "--cache", str(cache)])
    actors = (data / "actors.yaml").read_text(encoding="utf-8")
    actor = re.findall(r"\n  - id: ([a-z0-9-]+)\n", actors[actors.index("\nactors:"):])[-1]
    edit(data, "events-0005.yaml", 9, r"\n    participants:\n",
         f"\n    participants:\n      - {{actor: {actor}, role: target}}\n")
    step(STEPS[7], [*build, "-o", str(out), "--cache", str(cache)])
    same = same and identical()  # the patched outputs of a grouped view laid out again
    path = data / "events-0006.yaml"
    text = path.read_text(encoding="utf-8")
    block = text.split("\n  - id: ")[-1]  # the file's last event, copied under a new id
    path.write_text(text.rstrip("\n") + "\n\n  - id: " + block.replace("\n", "-copy\n", 1)
                    .replace("part_of:", "part_of_was:") .split("\n    part_of_was:")[0]
                    .rstrip("\n") + "\n", encoding="utf-8")
    step(STEPS[8], [*build, "-o", str(out), "--cache", str(cache)])
    same = same and identical()
    rows["identical to a full build"] = same
    print(f"  N={n:,} outputs identical to a full build: {same}", flush=True)
    return rows


def markdown(results: dict[int, dict[str, Any]]) -> str:
    lines = ["| N | " + " | ".join(STEPS) + " | identical |",
             "|---|" + "---|" * (len(STEPS) + 1)]
    for n, rows in results.items():
        full = rows[STEPS[0]]["seconds"]
        cells = []
        for name in STEPS:
            r = rows[name]
            share = f" ({100 * r['seconds'] / full:.0f}%)" if name != STEPS[0] else ""
            cells.append(f"{r['seconds']:.1f} s{share} / {r['rss_mb']:,.0f} MB")
        lines.append(f"| {n:,} | " + " | ".join(cells) +
                     f" | {'yes' if rows['identical to a full build'] else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--day-to-correct"]:  # the helper process of `day_to_correct`
        print(json.dumps(_day_to_correct(Path(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of events")
    args = parser.parse_args(argv)
    results = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"incremental-{n}-") as tmp:
            results[n] = run(n, Path(tmp))
    table = markdown(results)
    print(table)
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "incremental.json").write_text(
        json.dumps({str(k): v for k, v in results.items()}, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["identical to a full build"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
