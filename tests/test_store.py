"""The build folder: a store and a manifest beside the outputs, one build id, readers that open
it read-only, rebuilds that give exactly what a fresh build gives, and a folder that is always
one whole build."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchlib import synth
from timeline.cache import Cache
from timeline.cli import app
from timeline.pipeline import build
from timeline.store import open_built, store_id


def _build(data: Path, out: Path, cache: bool = True):
    return build(
        data, out, ner="gazetteer", cache=Cache(out / ".cache", defer=True) if cache else None
    )


def triples(out: Path) -> set[ox.Quad]:
    store = ox.Store.read_only(str(out / "store"))
    return set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def ids(out: Path) -> dict[str, str | None]:
    """The build id as each output states it."""
    built = open_built(out)
    ttl = (out / "graph.ttl").read_text(encoding="utf-8").splitlines()[0]
    view = re.search(
        r'<meta name="timeline-build" content="([0-9a-f]*)">',
        (out / "view.html").read_text(encoding="utf-8"),
    )
    return {
        "folder": built.folder.name,
        "manifest": built.id,
        "graph.ttl": ttl.removeprefix("# timeline build "),
        "view.html": view.group(1) if view else None,
        "store": store_id(ox.Store.read_only(str(out / "store")), built.base),
    }


def one_id(out: Path) -> str:
    found = ids(out)
    assert len(set(found.values())) == 1, found
    return found["manifest"] or ""


def test_build_writes_store_and_manifest_of_one_build(mini_path, tmp_path):
    out = tmp_path / "out"
    result = _build(mini_path, out)
    assert result.store == "loaded"
    one_id(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["pipeline"].endswith("/blank-en+gazetteer")
    assert manifest["ner"] == "gazetteer"
    assert manifest["counts"]["events"] == 3
    assert manifest["outputs"]["graph.ttl"] == (out / "graph.ttl").stat().st_size
    # the store holds the graph of graph.ttl, triple for triple
    parsed = ox.Store()
    parsed.load(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    assert triples(out) == set(parsed)
    # the same input again: nothing to do, the same build
    again = _build(mini_path, out)
    assert again.store == "kept" and again.manifest["build"] == manifest["build"]


def test_build_id_is_reproducible_and_changes_with_the_input(mini_path, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _build(mini_path, a, cache=False)
    _build(mini_path, b)
    assert (a / "graph.ttl").read_bytes() == (b / "graph.ttl").read_bytes()
    assert (a / "view.html").read_bytes() == (b / "view.html").read_bytes()
    assert one_id(a) == one_id(b)
    edited = tmp_path / "edited.yaml"
    edited.write_text(mini_path.read_text().replace("Oil deal", "An oil deal"))
    _build(edited, b)
    assert one_id(b) != one_id(a)


def test_turtle_export_is_the_build_s_graph_byte_for_byte(mini_path, tmp_path, runner):
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(mini_path), "-o", str(out)]).exit_code == 0
    for source in (out, mini_path):
        result = runner.invoke(app, ["export", str(source), "-f", "turtle", "-o", "-"])
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == (out / "graph.ttl").read_bytes()


# --- readers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["query", "{src}", "actor-events", "-p", "actor=maduro"],
        ["query", "{src}", "co-participation"],
        ["query", "{src}", "events-between", "-p", "from=2026-01", "-p", "to=2026-01-10"],
        ["actors", "{src}", "--limit", "5"],
        ["relations", "{src}", "maduro"],
        ["path", "{src}", "maduro", "us-forces"],
        ["entities", "{src}"],
        ["export", "{src}", "-f", "markdown", "-o", "-"],
        ["export", "{src}", "-f", "csv", "-o", "{where}"],
    ],
    ids=lambda a: "-".join(a[0:3:2]),
)
def test_readers_give_from_a_build_folder_what_they_give_from_the_dataset(
    args, mini_path, tmp_path, runner
):
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(mini_path), "-o", str(out)]).exit_code == 0
    results = []
    for i, source in enumerate((out, mini_path)):
        where = tmp_path / f"w{i}"
        result = runner.invoke(app, [a.format(src=source, where=where) for a in args])
        assert result.exit_code == 0, result.output
        text = result.stdout.replace(str(source), "SRC").replace(str(where), "W")
        if where.is_dir():
            text += repr({p.name: p.read_bytes() for p in sorted(where.iterdir())})
        results.append(text)
    assert results[0] == results[1]


def test_reading_a_build_folder_never_extracts(mini_path, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _build(mini_path, out)

    def refuse(*args, **kwargs):
        raise AssertionError("extraction ran")

    import timeline.link

    monkeypatch.setattr(timeline.link, "extract_mentions", refuse)
    from timeline.analyze import rank_actors
    from timeline.query import query

    assert rank_actors(out)
    assert query(out, name="actors").rows


def test_a_large_dataset_is_refused_with_how_to_build_it(mini_path, runner, monkeypatch):
    import timeline.source

    monkeypatch.setattr(timeline.source, "LARGE_DATASET", 100)
    result = runner.invoke(app, ["actors", str(mini_path)])
    assert result.exit_code == 1
    assert f"timeline build {mini_path} -o out/" in result.stderr


# --- incremental rebuilds ---------------------------------------------------------------------


EDITS = synth.EDITS


@pytest.mark.parametrize("kind", EDITS)
def test_a_rebuild_gives_what_a_fresh_build_gives(kind, tmp_path):
    data = tmp_path / "data"
    synth.write(150, data, seed=3, per_file=50)
    out = tmp_path / "out"
    _build(data, out)
    before = one_id(out)
    synth.edit(data, kind)
    result = _build(data, out)
    assert result.store == "updated"
    fresh = tmp_path / "fresh"
    _build(data, fresh, cache=False)
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    assert (out / "view.html").read_bytes() == (fresh / "view.html").read_bytes()
    # mentions.json assembled from the cached groups' rows, as encoded afresh
    assert (out / "current" / "mentions.json").read_bytes() == (
        fresh / "current" / "mentions.json"
    ).read_bytes()
    assert triples(out) == triples(fresh)
    assert one_id(out) == one_id(fresh) != before
    # the previous build stays whole beside it (a server may still read it)
    assert (out / "builds" / before / "store").is_dir()


def test_when_most_chunks_change_the_store_is_loaded_whole(tmp_path, monkeypatch):
    import timeline.pipeline

    data = tmp_path / "data"
    synth.write(150, data, seed=3, per_file=50)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    _build(data, out)
    synth.edit(data, "actor")
    monkeypatch.setattr(timeline.pipeline, "UPDATE_CHUNKS", 0)
    assert _build(data, out).store == "loaded"
    _build(data, fresh, cache=False)
    assert triples(out) == triples(fresh)
    assert one_id(out) == one_id(fresh)


def test_a_first_build_renders_the_chunks_it_lacks_with_two_processes(tmp_path, monkeypatch):
    """The cache's chunks that are missing (all of them in a first build) are rendered by a
    forked worker beside this process, as without the cache, into the same bytes; a rebuild
    after one edit renders its one chunk here."""
    from timeline.export import rdf

    data = tmp_path / "data"
    synth.write(300, data, seed=4, per_file=100)
    jobs_asked: list[int] = []
    original = rdf.rendered

    def spy(chunks, progress=None, jobs=1):
        jobs_asked.append(jobs)
        return original(chunks, progress, jobs)

    monkeypatch.setattr(rdf, "rendered", spy)
    monkeypatch.setattr(rdf, "GROUP", 1)  # a group per chunk: two groups are enough
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(data, out, ner="gazetteer", cache=Cache(out / ".cache", defer=True), jobs=2)
    assert jobs_asked == [2]
    build(data, fresh, ner="gazetteer", jobs=1)
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    assert triples(out) == triples(fresh)
    synth.edit(data, "summary")
    jobs_asked.clear()
    edited = Cache(out / ".cache", defer=True)
    build(data, out, ner="gazetteer", cache=edited, jobs=2)
    assert jobs_asked == [1] and edited.stats.turtle_made == 1


# --- damage -----------------------------------------------------------------------------------


def test_a_damaged_store_says_to_rebuild(mini_path, tmp_path, runner):
    out = tmp_path / "out"
    _build(mini_path, out)
    store = out / "store"
    for f in store.resolve().iterdir():
        if f.is_file():
            f.write_bytes(b"\0garbage" * 10)
    result = runner.invoke(app, ["query", str(out), "actors"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "rebuild it with: timeline build DATA -o" in lines[0], lines


def test_a_build_folder_of_another_format_says_to_rebuild(mini_path, tmp_path, runner):
    out = tmp_path / "out"
    _build(mini_path, out)
    manifest = out / "manifest.json"
    data = json.loads(manifest.read_text())
    data["format"] = 99
    manifest.resolve().write_text(json.dumps(data))
    result = runner.invoke(app, ["actors", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {out}: built by another version of timeline (format 99, this one reads 1); "
        f"rebuild it with: timeline build DATA -o {out}"
    )


def test_an_empty_folder_is_not_a_build(tmp_path, runner):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "current").symlink_to("builds/nothing")
    result = runner.invoke(app, ["query", str(tmp_path / "out"), "actors"])
    assert result.exit_code == 1
    assert "no readable build" in result.stderr and "timeline build DATA -o" in result.stderr


# --- a server while a build runs -------------------------------------------------------------


def test_serve_keeps_answering_during_a_rebuild_and_serves_the_new_build(mini_path, tmp_path):
    from timeline.query import open_graph
    from timeline.serve import make_server

    out = tmp_path / "out"
    _build(mini_path, out)
    server = make_server(open_graph(out), port=0, view=out / "view.html")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = (
        server.url
        + "sparql?query="
        + urllib.parse.quote(
            "SELECT (COUNT(*) AS ?n) WHERE { ?e a <http://semanticweb.cs.vu.nl/2009/11/sem/Event> }"
        )
    )

    def events() -> int:
        req = urllib.request.Request(url, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.read().decode().split()[1])

    assert events() == 3
    data = tmp_path / "more.yaml"
    text = mini_path.read_text()
    extra = text[text.index("  - id: oil-deal") : text.index("claims:")]
    data.write_text(text.replace("claims:", extra.replace("oil-deal", "oil-deal-2") + "claims:"))
    seen: list[int] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            seen.append(events())

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        _build(data, out)
    finally:
        done.set()
        asker.join()
        seen.append(events())
        server.shutdown()
        server.server_close()
    assert set(seen) <= {3, 4} and seen[0] == 3 and seen[-1] == 4, seen
    assert one_id(out).encode() in (out / "view.html").read_bytes()


# --- SIGKILL at random points ----------------------------------------------------------------


@pytest.mark.slow
def test_a_killed_rebuild_leaves_one_whole_build(tmp_path):
    import random
    import signal
    import subprocess
    import sys
    import time

    first, second = tmp_path / "first", tmp_path / "second"
    synth.write(400, first, seed=1, per_file=100)
    shutil.copytree(first, second)
    synth.edit(second, "participant")
    synth.edit(second, "removed")
    out = tmp_path / "out"
    child = (
        "import sys, timeline.cli\nprint('ready', flush=True)\n"
        "sys.argv = ['timeline', *sys.argv[1:]]\ntimeline.cli.main()\n"
    )

    def start(data: Path) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-c", child, "build", str(data), "-o", str(out), "--ner", "gazetteer"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        return proc

    def finish(proc: subprocess.Popen[bytes]) -> int:
        proc.communicate(timeout=300)
        return proc.returncode

    began = time.monotonic()
    assert finish(start(first)) == 0
    duration = time.monotonic() - began
    old = one_id(out)
    rng = random.Random(11)
    outcomes = set()
    for data in (second, first, second, first, second, first, second, first):
        proc = start(data)
        time.sleep(rng.uniform(0.05, duration))
        os.killpg(proc.pid, signal.SIGKILL)
        finish(proc)
        now = one_id(out)  # whole: one id in every output and the store
        outcomes.add("new" if now != old else "old")
        old = now
        result = subprocess.run(
            [sys.executable, "-m", "timeline", "query", str(out), "actors", "--format", "csv"],
            capture_output=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode()
    assert "old" in outcomes  # some kills landed inside a build
    # and a build after all that works, with no staging folder left behind
    assert finish(start(second)) == 0
    assert not [p for p in (out / "builds").iterdir() if p.name.startswith(".")]
