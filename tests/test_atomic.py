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
        ".graph.ttl.def456.tmp", ".notes.txt.abc.tmp", "graph.ttl"]


def test_output_files_get_the_umask_mode(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write_many({target: b"x"})
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
