"""The build cache: incremental rebuilds give the same build, and damaged entries are rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchlib import synth
from timeline.cache import Cache, groups
from timeline.cli import app
from timeline.errors import InvalidDataset
from timeline.pipeline import make_build


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    synth.write(120, data, seed=5, per_file=40)
    return data


def _edit_one_summary(folder: Path) -> None:
    f = folder / "events-0002.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(
        text.replace("    summary: >-\n", "    summary: >-\n      Edited today. ", 1),
        encoding="utf-8",
    )


def test_rebuild_reuses_everything_then_only_the_edited_event(folder, tmp_path):
    files = len(list(folder.glob("*.yaml")))
    first = Cache(tmp_path / "cache")
    cold = make_build(folder, ner="gazetteer", cache=first)
    runs = len(groups(cold.dataset.events))
    assert 1 < runs < 120  # mentions are cached by groups of events
    assert first.stats.misses == ["dataset"] + ["file"] * files + ["mentions"] * runs
    assert first.stats.extracted == 120

    again = Cache(tmp_path / "cache")
    warm = make_build(folder, ner="gazetteer", cache=again)
    assert again.stats.hits == ["dataset"] + ["mentions"] * runs
    assert (again.stats.extracted, again.stats.reused) == (0, 120)
    assert warm.dataset == cold.dataset
    assert warm.mentions == cold.mentions

    _edit_one_summary(folder)
    edited = Cache(tmp_path / "cache")
    inc = make_build(folder, ner="gazetteer", cache=edited)
    # only the edited file is validated, only the edited event's group extracted
    assert edited.stats.misses == ["dataset", "file", "mentions"]
    assert edited.stats.hits == ["file"] * (files - 1) + ["mentions"] * (runs - 1)
    (group,) = [g for g in groups(inc.dataset.events) if any("Edited today" in e.text for e in g)]
    assert (edited.stats.extracted, edited.stats.reused) == (len(group), 120 - len(group))
    full = make_build(folder, ner="gazetteer")
    assert inc.dataset == full.dataset
    assert inc.mentions == full.mentions
    assert sorted(inc.graph.edges(keys=True)) == sorted(full.graph.edges(keys=True))


def test_changing_the_gazetteer_extracts_everything_again(folder, tmp_path):
    make_build(folder, ner="gazetteer", cache=Cache(tmp_path / "cache"))
    actors = folder / "actors.yaml"
    text = actors.read_text(encoding="utf-8")
    actors.write_text(
        text.replace("    kind: person\n", "    kind: person\n    description: Added.\n", 1),
        encoding="utf-8",
    )
    after = Cache(tmp_path / "cache")
    make_build(folder, ner="gazetteer", cache=after)
    assert after.stats.extracted == 0  # a description is not a name: mentions stay valid
    actors.write_text(text.replace("    aliases: [", "    aliases: [Zorro, ", 1), encoding="utf-8")
    renamed = Cache(tmp_path / "cache")
    make_build(folder, ner="gazetteer", cache=renamed)
    assert renamed.stats.extracted == 120


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entries_are_detected_and_rebuilt(folder, tmp_path, damage):
    cache_dir = tmp_path / "cache"
    good = make_build(folder, ner="gazetteer", cache=Cache(cache_dir))
    entries = sorted(cache_dir.glob("*.pickle"))
    files = len(list(folder.glob("*.yaml")))
    runs = len(groups(good.dataset.events))
    assert [p.name.split("-")[0] for p in entries] == (
        ["dataset"] + ["file"] * files + ["mentions"] * runs
    )
    for p in entries:
        blob = p.read_bytes()
        if damage == "truncate":  # an interrupted write
            p.write_bytes(blob[: len(blob) // 2])
        elif damage == "flip":
            p.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
        elif damage == "garbage":
            p.write_bytes(b"not a cache entry at all")
        else:
            p.write_bytes(b"")
    again = Cache(cache_dir)
    rebuilt = make_build(folder, ner="gazetteer", cache=again)
    assert again.stats.rebuilt == ["dataset"] + ["file"] * files + ["mentions"] * runs
    assert again.stats.extracted == 120
    assert rebuilt.dataset == good.dataset
    assert rebuilt.mentions == good.mentions
    third = Cache(cache_dir)
    make_build(folder, ner="gazetteer", cache=third)
    assert third.stats.hits == ["dataset"] + ["mentions"] * runs


def test_invalid_data_is_never_cached(tmp_path, mini_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        mini_path.read_text(encoding="utf-8").replace('"2026-01-03"', '"2026-13"'), encoding="utf-8"
    )
    cache = Cache(tmp_path / "cache")
    with pytest.raises(InvalidDataset):
        make_build(bad, ner="none", cache=cache)
    assert not (tmp_path / "cache").exists()


def test_cli_build_with_cache_says_what_it_reused(folder, tmp_path, runner):
    args = [
        "build",
        str(folder),
        "-o",
        str(tmp_path / "out"),
        "--ner",
        "gazetteer",
        "--cache",
        str(tmp_path / "cache"),
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    chunks = len(list((tmp_path / "cache").glob("turtle-*.pickle")))
    assert chunks > 1
    assert (
        "  cache: dataset validated, 0 events' mentions reused, 120 extracted, "
        f"0 Turtle chunks reused, {chunks} made; store loaded\n"
    ) in first.output
    ttl = (tmp_path / "out" / "graph.ttl").read_bytes()
    args[3] = str(tmp_path / "elsewhere")  # no previous store there to update
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert (
        "  cache: dataset reused, 120 events' mentions reused, 0 extracted, "
        f"{chunks} Turtle chunks reused, 0 made; store loaded\n"
    ) in second.output
    assert (tmp_path / "elsewhere" / "graph.ttl").read_bytes() == ttl


def _turtle_entries(cache_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in cache_dir.glob("turtle-*.pickle")}


def test_editing_one_event_renders_one_chunk_of_turtle_again(folder, tmp_path):
    from timeline.pipeline import build

    cache_dir = tmp_path / "cache"
    build(folder, tmp_path / "out", ner="gazetteer", cache=Cache(cache_dir, defer=True))
    before = _turtle_entries(cache_dir)
    assert len(before) > 1
    _edit_one_summary(folder)
    again = Cache(cache_dir, defer=True)
    build(folder, tmp_path / "out", ner="gazetteer", cache=again)
    assert (again.stats.turtle_made, again.stats.turtle_reused) == (1, len(before) - 1)
    after = _turtle_entries(cache_dir)
    # the edited chunk's old entry is kept while the build it belongs to is the previous one
    # (a store update of the next build takes its triples out), then pruned
    assert len(set(after) - set(before)) == 1 and len(after) == len(before) + 1
    _edit_one_summary(folder)
    build(folder, tmp_path / "out", ner="gazetteer", cache=Cache(cache_dir, defer=True))
    again_after = _turtle_entries(cache_dir)
    assert len(again_after) == len(before) + 1
    assert not (set(before) - set(after)) & set(again_after)  # the first version is gone
    build(folder, tmp_path / "fresh", ner="gazetteer")
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (
        tmp_path / "fresh" / "graph.ttl"
    ).read_bytes()


def test_mentions_and_base_are_part_of_a_chunks_key(folder, tmp_path):
    from timeline.pipeline import build

    cache_dir = tmp_path / "cache"
    build(folder, tmp_path / "a", ner="gazetteer", cache=Cache(cache_dir, defer=True))
    none = Cache(cache_dir, defer=True)
    build(folder, tmp_path / "b", ner="none", cache=none)
    assert none.stats.turtle_reused < none.stats.turtle_made
    based = Cache(cache_dir, defer=True)
    build(folder, tmp_path / "c", ner="none", base="https://x.example/kg/", cache=based)
    assert based.stats.turtle_reused == 0
    for name in ("b", "c"):
        build(
            folder,
            tmp_path / f"{name}-fresh",
            ner="none",
            base="https://x.example/kg/" if name == "c" else None,
        )
        assert (tmp_path / name / "graph.ttl").read_bytes() == (
            tmp_path / f"{name}-fresh" / "graph.ttl"
        ).read_bytes()


def test_a_damaged_turtle_chunk_is_rebuilt(folder, tmp_path):
    from timeline.pipeline import build

    cache_dir = tmp_path / "cache"
    build(folder, tmp_path / "out", ner="none", cache=Cache(cache_dir, defer=True))
    good = (tmp_path / "out" / "graph.ttl").read_bytes()
    victim = sorted(cache_dir.glob("turtle-*.pickle"))[0]
    blob = victim.read_bytes()
    victim.write_bytes(blob[:-3] + b"xyz")
    again = Cache(cache_dir, defer=True)
    build(folder, tmp_path / "out2", ner="none", cache=again)
    assert again.stats.rebuilt == ["turtle"]
    assert again.stats.turtle_made == 1
    assert (tmp_path / "out2" / "graph.ttl").read_bytes() == good


def test_cli_caches_in_the_output_folder_unless_told_not_to(mini_path, tmp_path, runner):
    out = tmp_path / "site" / "out"
    result = runner.invoke(app, ["build", str(mini_path), "-o", str(out), "--ner", "none"])
    assert result.exit_code == 0, result.output
    assert "cache:" in result.output
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["out"]
    assert list((out / ".cache").glob("turtle-*.pickle"))
    other = tmp_path / "other"
    result = runner.invoke(
        app, ["build", str(mini_path), "-o", str(other), "--ner", "none", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    assert "cache:" not in result.output and not (other / ".cache").exists()


def test_a_failed_build_leaves_no_cache(mini_path, tmp_path, runner):
    out = tmp_path / "site" / "out"
    result = runner.invoke(
        app,
        [
            "build",
            str(mini_path),
            "-o",
            str(out),
            "--ner",
            "none",
            "--cache",
            str(tmp_path / "site" / "cache"),
            "--base",
            "https://x.example/a b/",
        ],
    )
    assert result.exit_code == 1
    assert not (tmp_path / "site").exists()


def test_per_file_validation_gives_the_dataset_of_a_full_read(folder, tmp_path):
    from timeline.load import read_dataset

    make_build(folder, ner="gazetteer", cache=Cache(tmp_path / "cache"))
    _edit_one_summary(folder)
    again = Cache(tmp_path / "cache")
    inc = make_build(folder, ner="gazetteer", cache=again)
    assert again.stats.misses == ["dataset", "file", "mentions"]
    assert inc.dataset == read_dataset(folder)
    # the entry of the file as it was before the edit is deleted, the others kept
    assert len(list((tmp_path / "cache").glob("file-*.pickle"))) == len(list(folder.glob("*.yaml")))


@pytest.mark.parametrize("breakage", ["duplicate id", "unknown reference", "two datasets"])
def test_cross_file_problems_are_reported_as_by_a_full_read(folder, tmp_path, breakage):
    """Files valid on their own that break a cross-file check: the same messages as without
    the cache, each at its line."""
    from timeline.load import read_dataset

    make_build(folder, ner="gazetteer", cache=Cache(tmp_path / "cache"))
    extra = folder / "zz-extra.yaml"
    if breakage == "duplicate id":
        extra.write_text(
            (folder / "events-0001.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    elif breakage == "unknown reference":
        rel = (folder / "relations.yaml").read_text(encoding="utf-8").split("\n\n")[0]
        extra.write_text(rel.replace("object: ", "object: atlantis-", 1) + "\n", encoding="utf-8")
    else:
        extra.write_text("dataset:\n  title: Another\n", encoding="utf-8")
    assert extra.read_text(encoding="utf-8") != ""
    with pytest.raises(InvalidDataset) as full:
        read_dataset(folder)
    cache = Cache(tmp_path / "cache")
    with pytest.raises(InvalidDataset) as cached:
        make_build(folder, ner="gazetteer", cache=cache)
    assert "file" in cache.stats.hits  # the unchanged files were not validated again
    assert [str(p) for p in cached.value.problems] == [str(p) for p in full.value.problems]


def test_an_edit_neither_rewrites_the_whole_dataset_nor_leaves_stale_entries(folder, tmp_path):
    from timeline.load import read_dataset
    from timeline.pipeline import build

    cache_dir = tmp_path / "cache"
    build(folder, tmp_path / "out", ner="gazetteer", cache=Cache(cache_dir, defer=True))
    kinds = sorted(p.name.split("-")[0] for p in cache_dir.glob("*.pickle"))
    runs = len(groups(read_dataset(folder).events))
    assert kinds.count("dataset") == 1 and kinds.count("mentions") == runs
    mentions = {p.name for p in cache_dir.glob("mentions-*.pickle")}
    _edit_one_summary(folder)
    edited = Cache(cache_dir, defer=True)
    result = build(folder, tmp_path / "out", ner="gazetteer", cache=edited)
    names = sorted(p.name.split("-")[0] for p in cache_dir.glob("*.pickle"))
    # the files' entries serve an edit: no 100k-event pickle again, and the old whole-dataset
    # entry (of files that are gone) is removed, as is the edited group's old mentions entry
    assert names.count("dataset") == 0 and names.count("mentions") == runs
    assert len(mentions - {p.name for p in cache_dir.glob("mentions-*.pickle")}) == 1
    assert names.count("file") == len(list(folder.glob("*.yaml")))
    assert result.store == "updated"


def test_the_code_version_covers_the_views_assets(tmp_path):
    """A new script or style gives another build id (and other cache keys)."""
    import shutil

    import timeline
    from timeline.cache import source_hash

    package = Path(timeline.__file__).resolve().parent
    copy = tmp_path / "timeline"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = source_hash(copy)
    assert source_hash(copy) == before
    script = copy / "assets" / "view.js"
    script.write_text(script.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert source_hash(copy) != before


def test_an_added_or_removed_event_changes_only_its_own_group_of_mentions(tmp_path):
    """Groups are cut where event ids say, not by position: taking an event out (or putting
    it back) changes the one group that holds it, wherever it is in the dataset; taking out
    the event a group is cut after joins that group to the next."""
    from timeline.load import read_dataset

    data = tmp_path / "data.yaml"
    synth.write(400, data, seed=2)
    events = read_dataset(data).events
    before = [[e.id for e in g] for g in groups(events)]
    cut_after = {g[-1] for g in before[:-1]}
    assert len(before) > 4 and max(len(g) for g in before) > 64  # a long run is cut too
    inside = [i for i, e in enumerate(events) if e.id not in cut_after]
    at_cut = [i for i, e in enumerate(events) if e.id in cut_after]
    for i in [inside[0], inside[len(inside) // 2], inside[-1], *at_cut[:3]]:
        after = [[e.id for e in g] for g in groups(events[:i] + events[i + 1 :])]
        changed = [g for g in before if g not in after]
        assert events[i].id in changed[0]
        assert len(changed) == (2 if events[i].id in cut_after else 1)
        assert len([g for g in after if g not in before]) == 1


def test_a_cache_used_again_never_gives_a_build_another_build_s_mentions(folder, tmp_path):
    from timeline.pipeline import build

    cache = Cache(tmp_path / "cache", defer=True)
    build(folder, tmp_path / "a", ner="gazetteer", cache=cache)
    assert (tmp_path / "a" / "current" / "mentions.json").read_bytes() != b"[]\n"
    build(folder, tmp_path / "b", ner="none", cache=cache)
    assert (tmp_path / "b" / "current" / "mentions.json").read_bytes() == b"[]\n"


def test_a_dataset_without_events_is_not_extracted_again(tmp_path):
    """No events, no runs of events: the pipeline's name is kept, so spaCy (or the model) is
    not loaded on every rebuild just to name it."""
    data = tmp_path / "empty.yaml"
    data.write_text(
        "dataset:\n  title: Empty\nactors:\n  - id: a-person\n    name: A Person\n"
        "    kind: person\n",
        encoding="utf-8",
    )
    first = make_build(data, ner="gazetteer", cache=Cache(tmp_path / "cache"))
    again = Cache(tmp_path / "cache")
    second = make_build(data, ner="gazetteer", cache=again)
    assert again.stats.hits == ["dataset", "mentions"]
    assert second.pipeline == first.pipeline == make_build(data, ner="gazetteer").pipeline != ""
