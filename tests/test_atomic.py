import os
import time

from timeline.atomic import atomic_write_many


def test_stale_temporaries_of_a_killed_run_are_removed(tmp_path):
    target = tmp_path / "graph.ttl"
    stale = tmp_path / ".graph.ttl.abc123.tmp"
    fresh = tmp_path / ".graph.ttl.def456.tmp"
    other = tmp_path / ".notes.txt.abc.tmp"
    for f in (stale, fresh, other):
        f.write_text("partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    atomic_write_many({target: "new"})
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".graph.ttl.def456.tmp",
        ".notes.txt.abc.tmp",
        "graph.ttl",
    ]


def test_output_files_get_the_umask_mode(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write_many({target: b"x"})
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_streamed_parts_are_written_in_order(tmp_path):
    target = tmp_path / "graph.ttl"
    atomic_write_many(
        {target: (f"part {i}\n".encode() for i in range(3)), tmp_path / "view.html": "<p>x</p>"}
    )
    assert target.read_bytes() == b"part 0\npart 1\npart 2\n"
    assert (tmp_path / "view.html").read_text() == "<p>x</p>"


def test_a_stream_that_fails_midway_leaves_every_previous_output(tmp_path):
    import pytest

    target, other = tmp_path / "graph.ttl", tmp_path / "view.html"
    target.write_bytes(b"old graph")
    other.write_bytes(b"old view")

    def parts():
        yield b"half of the new graph"
        raise ValueError("made while writing")

    with pytest.raises(ValueError, match="made while writing"):
        atomic_write_many({other: b"new view", target: parts()})
    assert (target.read_bytes(), other.read_bytes()) == (b"old graph", b"old view")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "view.html"]


def test_a_file_in_the_way_is_a_clear_error(tmp_path):
    import pytest

    from timeline.errors import ExportError

    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError) as exc:
        atomic_write_many({blocker / "sub" / "graph.ttl": b"x"})
    assert str(exc.value) == (
        f"cannot write {blocker / 'sub' / 'graph.ttl'}: {blocker} is a file, not a folder"
    )
    assert blocker.read_text() == "not a folder"
