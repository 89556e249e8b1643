"""The build folder under damage and misuse: builds kept and pruned, damaged parts rebuilt,
damaged files refused with one line, a served view that never leaves its build."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from benchlib import synth
from test_store import _build, one_id, triples
from timeline.cli import app


def test_two_builds_are_kept_the_current_and_the_one_it_replaced(mini_path, tmp_path):
    out = tmp_path / "out"
    data = tmp_path / "d.yaml"
    made = {}
    for title in ("One", "Two", "Three"):
        data.write_text(mini_path.read_text().replace("Oil deal", title))
        _build(data, out)
        made[title] = one_id(out)
    assert sorted(p.name for p in (out / "builds").iterdir()) == sorted(
        [made["Two"], made["Three"]]
    )
    # back to the input of "Two": switched to, not built again; a new build then keeps "Two"
    data.write_text(mini_path.read_text().replace("Oil deal", "Two"))
    assert _build(data, out).store == "switched" and one_id(out) == made["Two"]
    data.write_text(mini_path.read_text().replace("Oil deal", "Four"))
    _build(data, out)
    assert made["Two"] in {p.name for p in (out / "builds").iterdir()}
    assert len(list((out / "builds").iterdir())) == 2


def test_a_damaged_build_is_built_again_not_kept(mini_path, tmp_path, runner):
    out = tmp_path / "out"
    _build(mini_path, out)
    for f in (out / "store").resolve().iterdir():
        if f.is_file():
            f.write_bytes(b"garbage")
    (out / "graph.ttl").unlink()  # a top-level link removed too
    assert _build(mini_path, out).store == "loaded"
    one_id(out)
    result = runner.invoke(app, ["query", str(out), "actors"])
    assert result.exit_code == 0, result.output


def test_a_damaged_previous_store_or_cache_entry_gives_a_fresh_store(tmp_path):
    data = tmp_path / "data"
    synth.write(150, data, seed=3, per_file=50)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    _build(data, out)
    for f in (out / ".cache").glob("turtle-*.pickle"):
        f.write_bytes(b"garbage")
    synth.edit(data, "summary")
    assert _build(data, out).store == "loaded"
    for f in (out / "store").resolve().iterdir():
        if f.is_file():
            f.write_bytes(b"garbage")
    synth.edit(data, "date")
    # in a process of its own, as a user runs it (a store engine may keep what a process read)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "timeline",
            "build",
            str(data),
            "-o",
            str(out),
            "--ner",
            "gazetteer",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "store loaded" in done.stdout
    _build(data, fresh, cache=False)
    assert triples(out) == triples(fresh)


def test_a_dataset_folder_may_hold_its_own_build_folder(mini_path, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for title in ("One", "Two"):
        (data / "events.yaml").write_text(mini_path.read_text().replace("Oil deal", title))
        _build(data, data / "out")  # the build's own copies are never read as its files
        one_id(data / "out")


def test_a_damaged_mentions_file_or_manifest_says_to_rebuild(mini_path, tmp_path, runner):
    out = tmp_path / "out"
    _build(mini_path, out)
    mentions = (out / "current" / "mentions.json").resolve()
    mentions.write_text('[["capture", 0, 3, "x", "ORG", "../../etc", [], "", ""]]')
    result = runner.invoke(app, ["export", str(out), "-f", "ntriples", "-o", "-"])
    assert result.exit_code == 1 and "mentions.json: damaged" in result.stderr
    mentions.write_text("[1]")
    result = runner.invoke(app, ["actors", str(out)])
    assert result.exit_code == 1 and "rebuild it with" in result.stderr
    (out / "manifest.json").resolve().write_text('{"format": 1}')
    result = runner.invoke(app, ["query", str(out), "actors"])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(f"damaged; rebuild it with: timeline build DATA -o {out}")


def test_base_given_without_its_final_slash_names_the_built_base(mini_path, tmp_path, runner):
    out = tmp_path / "out"
    args = ["build", str(mini_path), "-o", str(out), "--base", "https://ex.org/x"]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, ["query", str(out), "actors", "--base", "https://ex.org/x"])
    assert result.exit_code == 0, result.output


def test_serve_sends_the_build_s_own_view_never_a_link_out_of_it(mini_path, tmp_path):
    from timeline.query import open_graph
    from timeline.serve import make_server

    out = tmp_path / "out"
    _build(mini_path, out)
    page = (out / "view.html").read_bytes()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    own = (out / "current" / "view.html").resolve()
    own.unlink()
    own.symlink_to(secret)
    server = make_server(open_graph(out), port=0, view=out / "view.html")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url, timeout=10)
        assert refused.value.code == 404
        refused.value.close()  # it holds the response and its socket
        own.unlink()
        own.write_bytes(page)
        with urllib.request.urlopen(server.url, timeout=10) as r:
            assert r.read() == page
    finally:
        server.shutdown()
        server.server_close()
