"""The build folder: every output of one build, its on-disk store and manifest, swapped in whole.

`timeline build DATA -o OUT` writes one build into ``OUT/builds/ID/`` (``graph.ttl``,
``view.html``, ``store/`` (an on-disk pyoxigraph store of the same triples), ``manifest.json``,
``mentions.json`` and a copy of the dataset's files), then points the symlink ``OUT/current`` at
it with one rename. ``OUT/graph.ttl``, ``OUT/view.html``, ``OUT/store`` and
``OUT/manifest.json`` are symlinks through ``current``. A reader resolves ``current`` once and
reads that folder only, so it sees one whole build, old or new, even while another build runs
or after one was killed part way.

The build id is a hash of what the outputs are made from (the dataset's files, the NER pipeline,
the base IRI, the code version): the same input gives the same id and byte-identical outputs,
and a build whose id is the current one has nothing to do.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timeline.errors import TimelineError
from timeline.graph import Build, Mention

FORMAT = 1
"""The layout of a build folder; a folder of another format is refused with a hint to rebuild."""
BUILDS, CURRENT, MANIFEST, STORE = "builds", "current", "manifest.json", "store"
MENTIONS, DATASET, CHUNKS = "mentions.json", "dataset", "chunks.txt"
MEDIA = "media"
"""Copies of the dataset's local media files, in the order of the manifest's `media`."""
LINKS = ("graph.ttl", "view.html", MANIFEST, STORE)
"""What OUT shows at its top level, each a symlink through `current`."""
KEEP = 2
"""Builds kept in OUT/builds: the current one and the one before (a server may still read it)."""


class StoreError(TimelineError):
    """A build folder that cannot be read: missing, damaged, or from another version."""


def is_build_folder(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() and (os.path.lexists(p / CURRENT) or (p / MANIFEST).is_file())


@dataclass(frozen=True)
class Built:
    """One finished build, read from its own folder (``OUT/builds/ID``)."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.manifest["build"])

    @property
    def base(self) -> str:
        return str(self.manifest["base"])

    def store(self) -> Any:
        """The build's store, opened read-only (pyoxigraph)."""
        import pyoxigraph as ox

        try:
            return ox.Store.read_only(str(self.folder / STORE))
        except (OSError, RuntimeError, ValueError) as exc:  # RocksDB says "Corruption: ..."
            raise StoreError(
                f"{self.folder / STORE}: the store cannot be opened ({exc}); "
                f"rebuild it with: {self.rebuild_hint}"
            ) from None

    @property
    def rebuild_hint(self) -> str:
        return f"timeline build DATA -o {self.folder.parent.parent}"

    def build(self) -> Build:
        """The build's dataset (validated again from its copy) and its mentions, as built;
        no extraction runs."""
        from timeline.load import read_files
        from timeline.source import read_media

        names = self.manifest["dataset"]["files"]
        try:
            files = [
                (name, (self.folder / DATASET / copy_name(i)).read_bytes())
                for i, name in enumerate(names)
            ]
            rows = json.loads((self.folder / MENTIONS).read_bytes())
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"{self.folder}: the build is incomplete or damaged ({exc}); "
                f"rebuild it with: {self.rebuild_hint}"
            ) from None
        media = sorted(self.manifest.get("media") or {})
        copies = {name: self.folder / MEDIA / copy_name(i) for i, name in enumerate(media)}

        def locate(yaml_file: str, name: str) -> Path:
            return copies.get(name, self.folder / MEDIA / ("" if name == "." else "missing"))

        dataset = read_files(files, locate)
        try:
            mentions = [
                Mention(e, start, end, text, label, actor, tuple(candidates), pipeline, how)
                for e, start, end, text, label, actor, candidates, pipeline, how in rows
            ]
            events, actors = {e.id for e in dataset.events}, {a.id for a in dataset.actors}
            for m in mentions:  # they become IRIs: only ids of this very dataset
                if m.event not in events or (m.actor is not None and m.actor not in actors):
                    raise ValueError(f"a mention of an unknown event or actor: {m.event}")
                if not all(isinstance(x, int) for x in (m.start, m.end)):
                    raise ValueError("a mention's offsets are not numbers")
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"{self.folder / MENTIONS}: damaged ({exc}); rebuild it with: {self.rebuild_hint}"
            ) from None
        return Build(
            dataset,
            mentions=mentions,
            pipeline=self.manifest["pipeline"],
            base=self.manifest["base_option"],
            build_id=self.id,
            media=read_media(dataset),
        )


def open_built(path: str | Path) -> Built:
    """The current build of the output folder `path` (or of a build's own folder)."""
    p = Path(path)
    folder = p / CURRENT if os.path.lexists(p / CURRENT) else p
    try:
        folder = folder.resolve(strict=True)
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError, RuntimeError) as exc:
        raise StoreError(
            f"{p}: no readable build ({exc.__class__.__name__}); build it with: "
            f"timeline build DATA -o {p}"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(
            f"{p}: built by another version of timeline (format "
            f"{manifest.get('format') if isinstance(manifest, dict) else '?'}, "
            f"this one reads {FORMAT}); rebuild it with: timeline build DATA -o {p}"
        )
    shape = {
        "build": str,
        "base": str,
        "pipeline": str,
        "summary": str,
        "dataset": dict,
        "counts": dict,
        "outputs": dict,
    }
    if any(not isinstance(manifest.get(k), t) for k, t in shape.items()) or not isinstance(
        manifest["dataset"].get("files"), list
    ):
        raise StoreError(
            f"{folder / MANIFEST}: damaged; rebuild it with: timeline build DATA -o {p}"
        )
    return Built(folder, manifest)


def same_base(given: str, built: Built) -> bool:
    """Whether a --base names the base a build was made with (a missing final / is added, as
    the build adds it)."""
    return (given if given.endswith(("/", "#")) else given + "/") == built.base


def copy_name(i: int) -> str:
    """The name of a dataset file's copy in a build: not .yaml, so that a dataset folder that
    holds its own OUT never reads a build's copies as its files."""
    return f"{i:04d}.data"


def whole(built: Built) -> bool:
    """Whether a build has every part, each of the size it was written with, and a store that
    opens: one that was damaged since is built again rather than kept."""
    try:
        for name, size in built.manifest["outputs"].items():
            if (built.folder / name).stat().st_size != size:
                return False
        if not (built.folder / MENTIONS).is_file():
            return False
        for i in range(len(built.manifest["dataset"]["files"])):
            if not (built.folder / DATASET / copy_name(i)).is_file():
                return False
        built.store()
    except (OSError, TimelineError, TypeError, AttributeError):
        return False
    return True


def current_id(out: Path) -> str | None:
    """The id of the build `out` shows now, if it has a readable one."""
    try:
        return open_built(out).id if is_build_folder(out) else None
    except StoreError:
        return None


# --- writing ----------------------------------------------------------------------------------


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """One build at a time into `out` (others wait): two builds would swap `current` and prune
    each other's folders."""
    import fcntl

    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        blocked = next((p for p in [out, *out.parents] if p.exists() and not p.is_dir()), None)
        reason = f"{blocked} is a file, not a folder" if blocked else exc.strerror
        raise StoreError(f"cannot write {out}: {reason}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Staged:
    """A build being written into ``OUT/builds/.ID.PID.tmp``; `commit` moves it into place and
    points `current` at it. Until then, OUT shows the previous build. Take `locked(OUT)`
    first."""

    def __init__(self, out: Path, build_id: str) -> None:
        self.out, self.id = out, build_id
        self.builds = out / BUILDS
        self.builds.mkdir(parents=True, exist_ok=True)
        _remove_stale(out)
        self.folder = self.builds / f".{build_id}.{os.getpid()}.tmp"
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir()

    def path(self, name: str) -> Path:
        return self.folder / name

    def write(self, name: str, data: bytes | Iterable[bytes]) -> int:
        """Write one file of the build (bytes, or pieces as they come); its size."""
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        with open(target, "wb") as fh:
            for part in [data] if isinstance(data, bytes) else data:
                fh.write(part)
                size += len(part)
            fh.flush()
            os.fsync(fh.fileno())
        return size

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest last, move the folder into place, then swap `current` to it."""
        self.write(MANIFEST, json_bytes(manifest))
        final = self.builds / self.id
        if final.exists():  # an earlier build of the same input, not the current one
            _delete(final)
        os.replace(self.folder, final)
        _fsync_dir(self.builds)
        switch(self.out, self.id)
        return final

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def switch(out: Path, build_id: str) -> None:
    """Point `current` at a complete build folder, in one rename; the top-level links (which
    point through `current`) are made first, so they hold for the old build and the new.
    Then delete all builds but this one and the one it replaces."""
    link_outputs(out)
    before = current_id(out)
    os.utime(out / BUILDS / build_id)  # the newest, for `_prune`
    link = out / f".{CURRENT}.{os.getpid()}.tmp"
    if os.path.lexists(link):
        link.unlink()
    os.symlink(Path(BUILDS) / build_id, link)
    os.replace(link, out / CURRENT)  # the one step that switches builds
    _fsync_dir(out)
    _prune(out / BUILDS, {build_id, before or build_id})


def link_outputs(out: Path) -> None:
    """Make OUT/graph.ttl, view.html, store and manifest.json symlinks through `current`
    (once; again if one was removed, or was a file of the layout before build folders)."""
    for name in LINKS:
        target = Path(CURRENT) / name
        here = out / name
        if here.is_symlink() and Path(os.readlink(here)) == target:
            continue
        tmp = out / f".{name}.{os.getpid()}.tmp"
        if os.path.lexists(tmp):
            tmp.unlink()
        os.symlink(target, tmp)
        if here.is_dir() and not here.is_symlink():
            _delete(here)
        os.replace(tmp, here)


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _delete(folder: Path) -> None:
    """Rename, then delete: a kill part way leaves a staged name that `_remove_stale` sweeps,
    never a build folder with some of its files."""
    trash = folder.parent / f".trash-{folder.name}.{os.getpid()}.tmp"
    os.replace(folder, trash)
    shutil.rmtree(trash, ignore_errors=True)


def _remove_stale(out: Path) -> None:
    """What a killed build left: staging and trash folders in OUT/builds, link temporaries in
    OUT, each named with the id of a process that is gone."""
    for tmp in [*(out / BUILDS).glob(".*.tmp"), *out.glob(".*.tmp")]:
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
        except ValueError:
            continue
        if pid == os.getpid() or not _alive(pid):
            if tmp.is_symlink() or tmp.is_file():
                tmp.unlink(missing_ok=True)
            else:
                shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune(builds: Path, keep: set[str]) -> None:
    """Delete the builds other than `keep` (the current one and the one it replaced) beyond
    the newest `KEEP`."""
    done = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: (p.name in keep, p.stat().st_mtime),
        reverse=True,
    )
    for old in done[max(KEEP, len(keep)) :]:
        if old.name not in keep:
            _delete(old)


# --- the store --------------------------------------------------------------------------------


class Loader:
    """Loads Turtle into a new on-disk store in another process, from a pipe, while the build
    writes the same Turtle to its file: the two take turns on two cores instead of one after
    the other (bulk-loading 1 GB of Turtle alone takes about a minute). The process is a new
    interpreter, not a fork: a fork of a process whose store threads hold a lock can hang."""

    def __init__(self, folder: Path, base: str, build_id: str) -> None:
        import subprocess
        import sys
        import tempfile

        self._errors = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, timeline.store as s; s.load_main(*sys.argv[1:])",
                str(folder),
                base,
                build_id,
            ],
            stdin=subprocess.PIPE,
            stderr=self._errors,
        )
        assert self._proc.stdin is not None
        self._pipe = self._proc.stdin

    def feed(self, parts: Iterable[bytes]) -> Iterator[bytes]:
        """The parts, each also sent to the loader."""
        for part in parts:
            self._pipe.write(part)
            yield part

    def finish(self) -> None:
        self._pipe.close()
        if self._proc.wait() != 0:
            self._errors.seek(0)
            error = self._errors.read().decode(errors="replace").strip().splitlines()
            raise StoreError(
                "loading the store failed"
                + (f": {error[-1]}" if error else f" (exit {self._proc.returncode})")
            )

    def abandon(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._pipe, self._errors):
            try:
                stream.close()
            except OSError:
                pass


def load_main(folder: str, base: str, build_id: str) -> None:
    """The loader process: Turtle on standard input into a new store at `folder`."""
    import signal
    import sys

    import pyoxigraph as ox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build stops it (see `Loader.abandon`)
    store = ox.Store(folder)
    store.bulk_load(sys.stdin.buffer, format=ox.RdfFormat.TURTLE, lenient=True)
    _name(store, base, build_id)
    store.flush()


def _id_graph(base: str) -> Any:
    """The named graph that holds the build id in the store, apart from the data (queries read
    the default graph)."""
    import pyoxigraph as ox

    return ox.NamedNode(base + "dataset/build")


_ID = "http://purl.org/dc/terms/identifier"


def _name(store: Any, base: str, build_id: str) -> None:
    import pyoxigraph as ox

    graph = _id_graph(base)
    store.clear_graph(graph)
    store.add(ox.Quad(graph, ox.NamedNode(_ID), ox.Literal(build_id), graph))


def store_id(store: Any, base: str) -> str | None:
    """The build id a store was written by."""
    import pyoxigraph as ox

    for quad in store.quads_for_pattern(None, ox.NamedNode(_ID), None, _id_graph(base)):
        return str(quad.object.value)
    return None


def update_store(
    previous: Path,
    folder: Path,
    header: bytes,
    removed: Iterable[bytes],
    added: Iterable[bytes],
    base: str,
    build_id: str,
) -> None:
    """A new store at `folder`: the previous build's (hard-linked, not copied), less the
    triples of the Turtle chunks `removed`, plus those of `added`. Blocks never share a
    subject, so a changed chunk's old triples are exactly the ones to remove."""
    import pyoxigraph as ox

    ox.Store.read_only(str(previous)).backup(str(folder))
    store = ox.Store(str(folder))
    for chunk in removed:
        for triple in ox.parse(header + chunk, format=ox.RdfFormat.TURTLE):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
    for chunk in added:
        store.load(header + chunk, format=ox.RdfFormat.TURTLE)
    _name(store, base, build_id)
    store.flush()
    del store


def mention_rows(mentions: list[Mention]) -> bytes:
    """Mentions as rows of ``mentions.json``, comma-separated (`mentions_json` joins them)."""
    text = json.dumps([list(m) for m in mentions], ensure_ascii=False, separators=(",", ":"))
    return text[1:-1].encode()


def mentions_json(rows: Iterable[bytes]) -> bytes:
    """``mentions.json`` from its rows (`mention_rows`), as one JSON array of every mention."""
    return b"[" + b",".join(r for r in rows if r) + b"]\n"
