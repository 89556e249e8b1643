"""Incremental rebuilds that patch the previous outputs: byte-identical to a full build, and
the full path whenever an edit reaches further than an event's own text."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchlib import synth
from timeline.cache import Cache
from timeline.cli import app
from timeline.errors import InvalidDataset
from timeline.models import Event
from timeline.pipeline import BuildResult, build

OUTPUTS = ("graph.ttl", "view.html")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two datasets built once with a cache: a large one (its view is aggregated) and a small
    one (every event is a node of the network)."""
    root = tmp_path_factory.mktemp("patch")
    made = {}
    for name, n in (("large", 1500), ("small", 120)):
        synth.write(n, root / name / "data", seed=11, per_file=n // 3)
        here = os.getcwd()
        os.chdir(root / name)  # relative paths, as a user types them: the copies match
        try:
            build("data", "out", ner="gazetteer", cache=Cache("cache", defer=True))
        finally:
            os.chdir(here)
        made[name] = root / name
    return made


@pytest.fixture()
def large(built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the large build (the outputs keep their times), as the working folder."""
    shutil.copytree(built["large"], tmp_path / "large")
    monkeypatch.chdir(tmp_path / "large")
    return tmp_path / "large"


@pytest.fixture()
def small(built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(built["small"], tmp_path / "small")
    monkeypatch.chdir(tmp_path / "small")
    return tmp_path / "small"


def rebuild(site: Path) -> BuildResult:
    return build("data", "out", ner="gazetteer", cache=Cache("cache", defer=True))


def assert_as_a_full_build(site: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    build("data", fresh, ner="gazetteer")
    for name in OUTPUTS:
        assert (site / "out" / name).read_bytes() == (fresh / name).read_bytes(), name


def event_block(site: Path, file: str, n: int) -> tuple[Path, str]:
    """The file and the text of its n-th event."""
    path = site / "data" / file
    return path, path.read_text(encoding="utf-8").split("\n  - id: ")[n + 1]


def edit_event(site: Path, file: str, n: int, change: Callable[[str], str]) -> None:
    path, block = event_block(site, file, n)
    text = path.read_text(encoding="utf-8")
    new = change(block)
    assert new != block
    path.write_text(text.replace(block, new, 1), encoding="utf-8")


def summary_says(words: str) -> Callable[[str], str]:
    head = "    summary: >-\n      "
    return lambda block: block.replace(head, f"{head}{words} ", 1)


def retitle(block: str) -> str:
    return re.sub(r"\n    title: (.*)\n", r"\n    title: 'Revised: \1'\n", block, count=1)


def test_an_edited_summary_is_patched_into_the_outputs(large, tmp_path):
    edit_event(large, "events-0002.yaml", 3, summary_says("Late news, & <b>bold</b> \"quoted\"."))
    result = rebuild(large)
    assert result.patched is not None and result.build is None
    assert (result.patched.files, len(result.patched.events)) == (1, 1)
    assert_as_a_full_build(large, tmp_path)


def test_several_edits_in_several_files_then_more_edits(large, tmp_path):
    """Lengths change, so the second patch finds every piece where the first one put it."""
    edit_event(large, "events-0001.yaml", 0, retitle)
    edit_event(large, "events-0001.yaml", 7, summary_says("A much longer summary. " * 20))
    edit_event(large, "events-0003.yaml", 2, lambda b: b.replace(
        "    type: ", "    status: planned\n    date_note: per one source\n    type: ", 1))
    first = rebuild(large)
    assert first.patched is not None
    assert (first.patched.files, len(first.patched.events)) == (2, 3)
    assert_as_a_full_build(large, tmp_path / "1")
    edit_event(large, "events-0001.yaml", 7, lambda b: b.replace("A much longer summary. ", "",
                                                                 19))
    edit_event(large, "events-0003.yaml", 40, retitle)
    second = rebuild(large)
    assert second.patched is not None and len(second.patched.events) == 2
    assert_as_a_full_build(large, tmp_path / "2")


def test_an_edited_quote_and_an_event_dated_relative_to_another(large, tmp_path):
    path = large / "data" / "events-0002.yaml"
    blocks = path.read_text(encoding="utf-8").split("\n  - id: ")[1:]
    quoted = next(i for i, b in enumerate(blocks) if "\n      - text: " in b)
    relative = next(i for i, b in enumerate(blocks) if "relative_to" in b)
    edit_event(large, "events-0002.yaml", quoted,
               lambda b: b.replace("\n      - text: ", "\n      - text: Indeed, ", 1))
    edit_event(large, "events-0002.yaml", relative, summary_says("Days later."))
    result = rebuild(large)
    assert result.patched is not None and len(result.patched.events) == 2
    assert_as_a_full_build(large, tmp_path)


def test_nothing_changed_keeps_the_outputs(large, tmp_path):
    before = {n: (large / "out" / n).read_bytes() for n in OUTPUTS}
    result = rebuild(large)
    assert result.patched is not None and result.patched.events == []
    assert {n: (large / "out" / n).read_bytes() for n in OUTPUTS} == before


def redate(site: Path, event: str, old: str, new: str) -> None:
    """Write `new` for the date `old` of the event with id `event`, wherever it is curated."""
    for path in sorted((site / "data").glob("events-*.yaml")):
        blocks = path.read_text(encoding="utf-8").split("\n  - id: ")[1:]
        n = next((k for k, b in enumerate(blocks) if b.startswith(event + "\n")), None)
        if n is not None:
            edit_event(site, path.name, n, lambda b: b.replace(f'date: "{old}"',
                                                               f'date: "{new}"', 1))
            return
    raise AssertionError(f"no event {event}")


def movable(site: Path, anchor: bool = False) -> Iterator[tuple[Event, Event, Event]]:
    """(previous, event, next) in date order, for every event dated by one plain day that no
    event is dated relative to (or, with `anchor`, that one is)."""
    from timeline.load import read_dataset

    ds = read_dataset(site / "data")
    anchors = {e.when.relative_to for e in ds.events if e.when.relative_to}
    order = ds.events_by_date()
    for before, e, after in zip(order, order[1:], order[2:], strict=False):
        when = e.when
        if when.precision == "day" and not when.is_range and not when.approximate and \
                not when.relative_to and (e.id in anchors) == anchor:
            yield before, e, after


def _room_to_move(site: Path, anchor: bool = False) -> tuple[str, str, str]:
    """(event id, old date, new date): an event that a day earlier still sorts between the
    same neighbours, in the same month."""
    from datetime import timedelta

    for before, e, _ in movable(site, anchor):
        day = e.when.earliest - timedelta(days=1)
        if before.when.earliest < day and day.month == e.when.earliest.month:
            return e.id, str(e.when), day.isoformat()
    raise AssertionError("no event to move")


@pytest.mark.parametrize("site", ["large", "small"])
def test_a_date_edit_that_keeps_the_event_in_place_is_patched(site, request, tmp_path):
    """Correcting a day: the event stays between the same neighbours (and, in a view that
    groups events by month, in its month), so only its own block and entry change."""
    where = request.getfixturevalue(site)
    event, old, new = _room_to_move(where)
    redate(where, event, old, new)
    result = rebuild(where)
    assert result.patched is not None and result.patched.events == [event]
    assert new in (where / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert_as_a_full_build(where, tmp_path)


@pytest.mark.parametrize("site", ["large", "small"])
def test_a_date_edit_that_moves_the_event(site, request, tmp_path):
    """A day later than the next event, in the same month: the order of the view changes, so
    a grouped view is laid out again and a small one is built in full."""
    from datetime import timedelta

    where = request.getfixturevalue(site)
    e, day = next((e, day) for _, e, after in movable(where)
                  if (day := after.when.earliest + timedelta(days=1)).month
                  == e.when.earliest.month)
    redate(where, e.id, str(e.when), day.isoformat())
    assert (rebuild(where).patched is not None) == (site == "large")
    assert_as_a_full_build(where, tmp_path)


def test_a_date_edit_into_another_month_of_a_grouped_view(large, tmp_path):
    """In place in date order, but in another of the view's month groups."""
    from datetime import date, timedelta

    def next_month(d: date) -> date:
        later = d.replace(day=1) + timedelta(days=32)
        return date(later.year, later.month, 1)

    e, first = next((e, first) for _, e, after in movable(large)
                    if (first := next_month(e.when.earliest)) < after.when.earliest)
    redate(large, e.id, str(e.when), first.isoformat())
    assert rebuild(large).patched is not None
    assert_as_a_full_build(large, tmp_path)


def test_the_date_of_an_anchor_takes_the_full_path(large, tmp_path):
    """Events dated relative to it move with it, even when it keeps its own place."""
    event, old, new = _room_to_move(large, anchor=True)
    redate(large, event, old, new)
    assert rebuild(large).patched is None
    assert_as_a_full_build(large, tmp_path)


def _names_a_new_actor(site: Path) -> Callable[[str], str]:
    """Write into the summary the name of an actor the event does not involve yet."""
    actors = (site / "data" / "actors.yaml").read_text(encoding="utf-8")
    names = re.findall(r"\n  - id: ([a-z0-9-]+)\n    name: (.+)\n    kind: person", actors)

    def change(block: str) -> str:
        actor, name = next((a, n) for a, n in names if a not in block and n not in block)
        return summary_says(f"{name.strip(chr(34))} was there.")(block)
    return change


def _another_value(site: Path, pattern: str, one: str, other: str) -> None:
    """In event 3 of events-0002.yaml, write `one` for the first value `pattern` captures, or
    `other` where it is `one` already."""
    def change(block: str) -> str:
        m = re.search(pattern, block)
        assert m is not None
        return block[:m.start(1)] + (one if m.group(1) != one else other) + block[m.end(1):]
    edit_event(site, "events-0002.yaml", 3, change)


def _structural(site: Path, what: str) -> None:
    """Edit event 3 of events-0002.yaml in a way that reaches past its own entry."""
    if what == "date a year earlier":
        edit_event(site, "events-0002.yaml", 3, lambda b: re.sub(
            r'\n    date: "(\d{4})', lambda m: f'\n    date: "{int(m.group(1)) - 1}', b, count=1))
    elif what == "participant's role":
        _another_value(site, r"role: ([a-z-]+)}", "agent", "target")
    elif what == "participant added":
        text = (site / "data" / "actors.yaml").read_text(encoding="utf-8")
        actors = re.findall(r"\n  - id: ([a-z0-9-]+)\n", text[text.index("\nactors:"):])
        _, block = event_block(site, "events-0002.yaml", 3)
        other = next(a for a in actors if a not in block)
        edit_event(site, "events-0002.yaml", 3, lambda b: b.replace(
            "    participants:\n", f"    participants:\n      - {{actor: {other}, role: target}}\n",
            1))
    elif what == "new actor named":
        edit_event(site, "events-0002.yaml", 3, _names_a_new_actor(site))
    elif what == "type":
        _another_value(site, r"\n    type: ([a-z-]+)\n", "arrest", "diplomacy")
    elif what == "other sources":
        text = (site / "data" / "actors.yaml").read_text(encoding="utf-8")
        sources = re.findall(r"\n  - id: ([a-z0-9-]+)\n    title: ",
                             text[:text.index("\nactors:")])
        edit_event(site, "events-0002.yaml", 3, lambda b: re.sub(
            r"\n    sources: \[[^\]]*\]", f"\n    sources: [{sources[-1]}]", b, count=1))
    else:
        raise AssertionError(what)


STRUCTURAL = ["date a year earlier", "participant's role", "participant added",
              "new actor named", "type", "other sources"]


@pytest.mark.parametrize("what", STRUCTURAL)
def test_a_grouped_view_is_laid_out_again_for_an_edit_that_reaches_further(large, tmp_path,
                                                                            what):
    """Moved in date order, other actors, another type or sources: the event's block, its
    entry (where it now belongs) and the view's aggregates are made again; the rest is
    copied. Then a second edit patches the outputs the first one left."""
    _structural(large, what)
    result = rebuild(large)
    assert result.patched is not None and len(result.patched.events) == 1
    assert_as_a_full_build(large, tmp_path / "1")
    edit_event(large, "events-0001.yaml", 5, lambda b: re.sub(
        r'\n    date: "(\d{4})', lambda m: f'\n    date: "{int(m.group(1)) + 2}', b, count=1))
    assert rebuild(large).patched is not None
    assert_as_a_full_build(large, tmp_path / "2")


@pytest.mark.parametrize("what", STRUCTURAL)
def test_a_small_view_takes_the_full_path_for_an_edit_that_reaches_further(small, tmp_path,
                                                                           what):
    """Every event is a node of its network: it is made again in full (in about a second)."""
    _structural(small, what)
    result = rebuild(small)
    assert result.patched is None and result.build is not None
    assert_as_a_full_build(small, tmp_path)


@pytest.mark.parametrize("what", [
    "unknown participant", "not a place", "unknown source", "link", "actor edited",
    "event removed",
])
def test_edits_a_patch_does_not_take_take_the_full_path(large, tmp_path, what):
    if what == "unknown participant":  # the full path reports it
        edit_event(large, "events-0002.yaml", 3, lambda b: b.replace(
            "    participants:\n",
            "    participants:\n      - {actor: nobody-known, role: agent}\n", 1))
    elif what == "not a place":
        person = re.search(r"\n  - id: ([a-z0-9-]+)\n    name: .*\n    kind: person\n",
                           (large / "data" / "actors.yaml").read_text(encoding="utf-8"))
        assert person is not None
        places = f"\n    places: [{person.group(1)}]"
        edit_event(large, "events-0002.yaml", 3, lambda b: re.sub(
            r"\n    places: \[[^\]]*\]", places, b, count=1) if "\n    places: [" in b
            else b.replace("\n    type: ", places + "\n    type: ", 1))
    elif what == "unknown source":
        edit_event(large, "events-0002.yaml", 3, lambda b: re.sub(
            r"\n    sources: \[[^\]]*\]", "\n    sources: [no-such-source]", b, count=1))
    elif what == "link":
        _, other = event_block(large, "events-0002.yaml", 5)
        other_id = other.split("\n", 1)[0]
        edit_event(large, "events-0002.yaml", 3, lambda b: b.replace(
            "    type: ", f"    follows: [{other_id}]\n    type: ", 1))
    elif what == "actor edited":
        actors = large / "data" / "actors.yaml"
        actors.write_text(actors.read_text(encoding="utf-8").replace(
            "    kind: person\n", "    kind: person\n    description: Added.\n", 1),
            encoding="utf-8")
    else:
        every = "".join(p.read_text(encoding="utf-8") for p in (large / "data").glob("*.yaml"))
        path = large / "data" / "events-0002.yaml"
        text = path.read_text(encoding="utf-8")
        block = next(b for b in text.split("\n  - id: ")[1:]  # an event nothing refers to
                     if every.count(b.split("\n", 1)[0]) == 1)
        path.write_text(text.replace("\n  - id: " + block, "", 1), encoding="utf-8")
    if what in ("unknown participant", "not a place", "unknown source"):
        before = {n: (large / "out" / n).read_bytes() for n in OUTPUTS}
        with pytest.raises(InvalidDataset):
            rebuild(large)
        assert {n: (large / "out" / n).read_bytes() for n in OUTPUTS} == before
        return
    result = rebuild(large)
    assert result.patched is None and result.build is not None
    assert_as_a_full_build(large, tmp_path)
    if what != "event removed":  # and the record it leaves serves the next edit
        edit_event(large, "events-0001.yaml", 5, summary_says("Then this."))
        assert rebuild(large).patched is not None
        assert_as_a_full_build(large, tmp_path / "next")


def test_a_small_view_draws_titles_so_a_new_title_takes_the_full_path(small, tmp_path):
    edit_event(small, "events-0001.yaml", 2, retitle)
    assert rebuild(small).patched is None
    assert_as_a_full_build(small, tmp_path / "1")
    edit_event(small, "events-0001.yaml", 2, summary_says("Only the summary."))
    assert rebuild(small).patched is not None
    assert_as_a_full_build(small, tmp_path / "2")


@pytest.mark.parametrize("damage", ["same size and time", "deleted", "other folder",
                                    "record damaged"])
def test_outputs_changed_since_are_never_patched(large, tmp_path, damage):
    ttl = large / "out" / "graph.ttl"
    if damage == "same size and time":  # defeats the quick check: the checksum catches it
        st = ttl.stat()
        blob = bytearray(ttl.read_bytes())
        blob[len(blob) // 2] ^= 0x01
        ttl.write_bytes(bytes(blob))
        os.utime(ttl, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif damage == "deleted":
        ttl.unlink()
    elif damage == "record damaged":
        record = large / "cache" / "last-build.pickle"
        blob = record.read_bytes()
        record.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
    else:
        shutil.move(large / "out", large / "elsewhere")
        (large / "out").mkdir()
        shutil.copy(large / "elsewhere" / "view.html", large / "out" / "view.html")
    edit_event(large, "events-0002.yaml", 3, summary_says("Edited."))
    result = rebuild(large)
    assert result.patched is None
    assert_as_a_full_build(large, tmp_path)
    assert not [p for p in (large / "out").iterdir() if p.name.endswith(".tmp")]


def test_invalid_edit_is_reported_as_ever_and_nothing_is_written(large, runner):
    before = {n: (large / "out" / n).read_bytes() for n in OUTPUTS}
    edit_event(large, "events-0002.yaml", 3, lambda b: b.replace("    type: ", "    type: x", 1))
    args = ["build", "data", "-o", "out", "--ner", "gazetteer", "--cache", "cache"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert re.search(r"events-0002\.yaml:\d+:\d+: .*type", result.output)
    assert {n: (large / "out" / n).read_bytes() for n in OUTPUTS} == before


def test_cli_says_what_it_patched(large, runner):
    edit_event(large, "events-0002.yaml", 3, summary_says("Edited."))
    args = ["build", "data", "-o", "out", "--ner", "gazetteer", "--cache", "cache"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert ("  cache: 1 of 6 files changed; 1 edited event patched into the previous "
            "outputs\n") in result.output
    again = runner.invoke(app, args)
    assert "  cache: no file changed; the previous outputs were checked and kept\n" in \
        again.output
    assert re.search(r"  extraction: spacy-[^:]+: \d+ mentions, \d+ linked\n", again.output)


def test_mentions_read_back_from_the_turtle_are_those_extracted(small):
    """Every event's mentions, read back from its block of the built Turtle (as a patch does
    for an event whose text it keeps), are the extracted ones, and render the block again."""
    from timeline.export.rdf import NtIris
    from timeline.patch import RECORD, _kept_mentions
    from timeline.pipeline import make_build

    record = Cache("cache").get(*RECORD)
    b = make_build("data", ner="gazetteer")
    iri = NtIris(record.base)

    def fields(ms):  # what the graph states of a mention (a linked one, no candidates)
        return sorted((m.event, m.start, m.end, m.text, m.actor,
                       () if m.actor else tuple(sorted(m.candidates)), m.method) for m in ms)

    extracted: dict[str, list] = {e.id: [] for e in b.dataset.events}
    for m in b.mentions:
        extracted[m.event].append(m)
    assert sum(map(len, extracted.values())) > 100
    for e in b.dataset.events:
        kept = _kept_mentions(small / "out" / "graph.ttl", record, iri, e)
        assert kept is not None, e.id
        assert fields(kept) == fields(extracted[e.id]), e.id


@pytest.mark.parametrize("edit", ["nothing", "a day corrected", "a status"])
def test_a_rebuild_that_keeps_every_text_never_starts_spacy(large, edit):
    if edit == "a day corrected":
        redate(large, *_room_to_move(large))
    elif edit == "a status":
        edit_event(large, "events-0002.yaml", 3, lambda b: b.replace(
            "    type: ", "    status: planned\n    type: ", 1))
    code = (
        "import sys\n"
        "from timeline.cache import Cache\n"
        "from timeline.pipeline import build\n"
        "r = build('data', 'out', ner='gazetteer', cache=Cache('cache', defer=True))\n"
        "print(r.patched is not None, len(r.patched.events), 'spacy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=large)
    assert result.stdout.split() == ["True", "0" if edit == "nothing" else "1", "False"]


def test_the_first_and_last_events_trade_places_with_another_edit(large, tmp_path):
    """Entries leave both ends of the view's list and come back at the other ends, in one
    patch with a type edit elsewhere; a second patch reads the layout the first one left."""
    from timeline.load import read_dataset

    ds = read_dataset("data")
    anchors = {e.when.relative_to for e in ds.events if e.when.relative_to}
    plain = [e for e in ds.events_by_date() if not e.when.relative_to and e.id not in anchors]
    first, last = plain[0], plain[-1]
    redate(large, first.id, str(first.when), f"{last.when.latest.year + 1:04d}-06-01")
    redate(large, last.id, str(last.when), f"{first.when.earliest.year - 1:04d}-06-01")
    _structural(large, "type")
    result = rebuild(large)
    assert result.patched is not None and len(result.patched.events) == 3
    assert_as_a_full_build(large, tmp_path / "1")
    redate(large, first.id, f"{last.when.latest.year + 1:04d}-06-01", str(first.when))
    edit_event(large, "events-0001.yaml", 5, summary_says("And this."))
    assert rebuild(large).patched is not None
    assert_as_a_full_build(large, tmp_path / "2")


def _add_event(site: Path, file: str, change: Callable[[str], str] = lambda b: b) -> str:
    """Add to `file` a copy of one of its events under a new id; returns the id."""
    path = site / "data" / file
    text = path.read_text(encoding="utf-8")
    block = text.split("\n  - id: ")[-1].rstrip("\n")
    copy = change(block.replace("\n", "-copy\n", 1))
    path.write_text(text.rstrip("\n") + "\n\n  - id: " + copy + "\n", encoding="utf-8")
    return copy.split("\n", 1)[0]


def test_an_added_event_is_patched_into_a_grouped_view(large, tmp_path, runner):
    """Its block goes where its IRI sorts, its entry where its date does; the counts follow."""
    first = _add_event(large, "events-0002.yaml")
    args = ["build", "data", "-o", "out", "--ner", "gazetteer", "--cache", "cache"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "data: built 1501 events, 124 actors, 31 sources, 150 claims, 75 relations",
        "  cache: 1 of 6 files changed; 1 added event patched into the previous outputs"]
    assert first in (large / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert_as_a_full_build(large, tmp_path / "1")
    # two more in two files, one of them edited at once, then an edit of the first one
    _add_event(large, "events-0001.yaml", summary_says("Reported again."))
    _add_event(large, "events-0003.yaml")
    edit_event(large, "events-0001.yaml", 4, summary_says("Also."))
    result = rebuild(large)
    assert result.patched is not None
    assert (len(result.patched.added), len(result.patched.events)) == (2, 1)
    assert result.summary.startswith("1503 events, ")
    assert_as_a_full_build(large, tmp_path / "2")
    _structural(large, "type")
    assert rebuild(large).patched is not None
    assert_as_a_full_build(large, tmp_path / "3")


@pytest.mark.parametrize("how", ["duplicate id", "relative date", "small view"])
def test_an_added_event_a_patch_does_not_take(built, tmp_path, monkeypatch, how):
    site = tmp_path / "site"
    shutil.copytree(built["small" if how == "small view" else "large"], site)
    monkeypatch.chdir(site)
    if how == "duplicate id":  # an id another file has: the full path reports it
        other = (site / "data" / "events-0001.yaml").read_text(encoding="utf-8")
        taken = other.split("\n  - id: ")[1].split("\n", 1)[0]
        _add_event(site, "events-0002.yaml", lambda b: taken + "\n" + b.split("\n", 1)[1])
        with pytest.raises(InvalidDataset, match="duplicate"):
            rebuild(site)
        return
    if how == "relative date":
        anchor = (site / "data" / "events-0001.yaml").read_text(encoding="utf-8").split(
            "\n  - id: ")[1].split("\n", 1)[0]
        _add_event(site, "events-0002.yaml", lambda b: re.sub(
            r'\n    date: "[^"]*"', "\n    date: {relative_to: " + anchor + ", from_days: 1, "
            "to_days: 3, as_stated: days later}", b, count=1))
    else:
        _add_event(site, "events-0002.yaml")
    result = rebuild(site)
    assert result.patched is None and result.build is not None
    assert_as_a_full_build(site, tmp_path)
