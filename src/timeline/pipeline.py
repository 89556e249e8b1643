"""build(): load -> validate -> extract -> link -> pieces -> store and outputs, as one unit.

Every output is assembled in full on every build, from pieces cached by content (`timeline.cache`:
each file's validated items, the mentions of each run of events, each chunk of Turtle), never
by patching a previous output. The store is loaded from the Turtle as it is written, or, when a
previous build and the cache allow, made from the previous store (hard-linked) with the changed
chunks' triples swapped. Everything goes into a new build folder that replaces the current one
with one rename (`timeline.store`).

The library never prints: callers pass `progress`, a callable told the name of each stage as it
starts (the CLI turns that into a rich progress display).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timeline.errors import ExportError, TimelineError
from timeline.graph import Build
from timeline.ner import choose
from timeline.progress import Progress, quiet
from timeline.source import build_id as make_id
from timeline.source import make_build

if TYPE_CHECKING:
    from timeline.cache import Cache

__all__ = ["BuildResult", "build", "make_build"]


@dataclass
class BuildResult:
    """What a build did: its manifest, the files OUT shows, and how the store was made
    ("loaded", "updated" from the previous build, or "kept": nothing changed)."""

    manifest: dict[str, Any]
    outputs: list[Path] = field(default_factory=list)
    store: str = "loaded"
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return str(self.manifest["summary"])

    @property
    def pipeline(self) -> str:
        return str(self.manifest["pipeline"])

    @property
    def mentions(self) -> tuple[int, int]:
        """How many mentions the build holds, and how many of them are linked to an actor."""
        counts = self.manifest["counts"]
        return counts["mentions"], counts["linked"]


def build(
    path: str | Path,
    out_dir: str | Path,
    base: str | None = None,
    progress: Progress = quiet,
    ner: str | None = None,
    cache: Cache | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """Build the dataset at `path` into the folder `out_dir`. Nothing in it changes unless every
    stage works; a build killed at any point leaves the previous build in place, whole."""
    from timeline.load import dataset_files, frozen_heap
    from timeline.store import current_id, link_outputs, locked, switch

    started = time.perf_counter()
    out = Path(out_dir)
    progress("read")
    files = dataset_files(path)
    ner = choose(ner, files)  # the command line's, else the dataset's, else gazetteer
    ident = make_id(files, ner, base)
    kept = _kept(out, ident) if cache is not None else None
    # The same input, code and pipeline, built before and whole: show that build.
    if kept is not None:
        with locked(out):
            how = "kept" if current_id(out) == kept.id else "switched"
            if how == "kept":
                link_outputs(out)
            else:
                switch(out, kept.id)
        return _result(kept.manifest, out, how, started)
    b = make_build(
        path,
        base=base,
        progress=progress,
        ner=ner,
        cache=cache,
        jobs=jobs,
        files=files,
        build_id=ident,
    )
    base = checked_base(b)  # a bad base is refused before anything is written
    warnings = _pipeline_changed(out, ner, b.pipeline)
    with locked(out), frozen_heap():  # the build's data lives to the end: not walked again
        manifest, how = _write(b, base, files, out, ner, cache, progress, jobs, ident)
    if cache is not None:
        cache.flush()
        for kind in ("dataset", "mentions", "turtle"):  # entries this build had no use for
            cache.prune(kind)
    result = _result(manifest, out, how, started)
    result.warnings = warnings
    return result


def _kept(out: Path, ident: str) -> Any:
    """The build of the same input (`ident`: the dataset's files, code and pipeline) when it
    is whole and its media files have not changed since, else None."""
    from timeline.source import media_digests
    from timeline.store import BUILDS, open_built, whole

    for folder in (out / BUILDS / ident, out):  # a dataset with media: its id differs
        try:
            built = open_built(folder)
        except TimelineError:
            continue
        if built.manifest.get("input", built.id) != ident or not whole(built):
            continue
        media = built.manifest.get("media") or {}
        if media:
            try:
                paths = built.manifest["media_paths"]
                now = media_digests({k: Path(paths[k]).read_bytes() for k in media})
            except (OSError, KeyError, TypeError):
                return None
            if now != media:
                return None
        return built
    return None


def _pipeline_changed(out: Path, ner: str, pipeline: str) -> list[str]:
    """With --ner auto: a warning when the pipeline differs from the previous build's (a model
    installed or removed since changes the mentions and the kinds of the new build)."""
    from timeline.store import open_built

    if ner != "auto":
        return []
    try:
        before = str(open_built(out).manifest.get("pipeline", ""))
    except TimelineError:
        return []
    if not before or before == pipeline:
        return []
    return [
        f"--ner auto chose {pipeline}; the previous build used {before}, so mentions and "
        "links differ: name the pipeline (--ner, or ner: in the dataset section) to build "
        "the same way everywhere"
    ]


def _result(manifest: dict[str, Any], out: Path, how: str, started: float) -> BuildResult:
    from timeline.store import LINKS

    return BuildResult(manifest, [out / name for name in LINKS], how, time.perf_counter() - started)


def _write(
    b: Build,
    base: str,
    files: list[tuple[str, bytes]],
    out: Path,
    ner: str,
    cache: Cache | None,
    progress: Progress,
    jobs: int | None,
    input_id: str,
) -> tuple[dict[str, Any], str]:
    """Every output of `b` into a staged build folder, committed once all are written."""
    from timeline import __version__
    from timeline.cache import code_version
    from timeline.export.html import VIEW_FILE
    from timeline.export.rdf import turtle_jobs
    from timeline.source import media_digests
    from timeline.store import (
        CHUNKS,
        DATASET,
        FORMAT,
        MEDIA,
        MENTIONS,
        STORE,
        Loader,
        Staged,
        StoreError,
        copy_name,
        mentions_json,
    )

    workers = turtle_jobs(len(b.dataset.events), jobs)
    previous = _previous(out, base, cache)
    staged = Staged(out, b.build_id)
    loader = None
    view: Forked | None = None
    committed = False
    try:
        rows = cache.mention_rows if cache is not None else None  # cached with the mentions
        if _fork_view(len(b.dataset.events), workers, jobs):  # beside everything below
            view = Forked(functools.partial(_view_and_mentions, b, quiet, rows))
        progress("RDF and Turtle")
        turtle: Iterator[bytes]
        if cache is not None:
            from timeline import cache as cached

            turtle = cached.turtle_parts(b, cache, progress, workers)
        else:
            from timeline.export.rdf import turtle_parts

            turtle = turtle_parts(b, progress, workers)
        if previous is None:
            loader = Loader(staged.path(STORE), base, b.build_id)
            turtle = loader.feed(turtle)
        size = staged.write("graph.ttl", turtle)
        progress("store")
        how = "loaded"
        if loader is not None:
            loader.finish()
        else:
            assert previous is not None and cache is not None
            how = "updated"
            if not _update(previous, staged.path(STORE), cache, base, b.build_id):
                how = "loaded"  # most of the graph changed: loading it is faster
                loader = Loader(staged.path(STORE), base, b.build_id)
                with open(staged.path("graph.ttl"), "rb") as turtle_file:
                    for _ in loader.feed(iter(lambda: turtle_file.read(1 << 20), b"")):
                        pass
                loader.finish()
        for i, (_, data) in enumerate(files):
            staged.write(f"{DATASET}/{copy_name(i)}", data)
        for i, (_, data) in enumerate(sorted(b.media.items())):
            staged.write(f"{MEDIA}/{copy_name(i)}", data)
        progress("view")
        page, mentions = (
            view.result() if view is not None else _view_and_mentions(b, progress, rows)
        )
        if mentions is None:
            mentions = mentions_json(rows or [])
        staged.write(VIEW_FILE, page)
        staged.write(MENTIONS, mentions)
        if cache is not None:
            staged.write(CHUNKS, "".join(f"{k}\n" for k in cache.chunks).encode())
        ds = b.dataset
        manifest = {
            "format": FORMAT,
            "build": b.build_id,
            "version": __version__,
            "code": code_version(),
            "dataset": {
                "id": ds.identity,
                "files": [name for name, _ in files],
                "sha256": _sha256(data for _, data in files),
            },
            "ner": ner,
            "pipeline": b.pipeline,
            "base": base,
            "base_option": b.base,
            "summary": ds.summary(),
            "counts": {
                "events": len(ds.events),
                "actors": len(ds.actors),
                "sources": len(ds.sources),
                "claims": len(ds.claims),
                "relations": len(ds.relations),
                "mentions": len(b.mentions),
                "linked": sum(1 for m in b.mentions if m.actor is not None),
            },
            "outputs": {"graph.ttl": size, VIEW_FILE: len(page)},
            "input": input_id,
            "media": media_digests(b.media),
            "media_paths": b.dataset.media_files(),
        }
        progress("commit")
        staged.commit(manifest)
        committed = True
    except OSError as exc:
        raise StoreError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        if loader is not None:  # first: it may still be writing into the staged folder
            loader.abandon()
        if view is not None:
            view.close()
        if not committed:
            staged.abandon()
    return manifest, how


VIEW_FORK_MIN = 2_000
"""Events from which a build on two cores renders the view (and the mentions file) in a
forked process while it writes the Turtle and the store: at 10k events a rebuild spends a
second on the view."""


def _fork_view(events: int, turtle_workers: int, jobs: int | None) -> bool:
    """Whether a forked process renders the view: with two Turtle workers (a large build, or
    --jobs 2) when there is room for both; else from VIEW_FORK_MIN events on two cores."""
    import multiprocessing
    import os
    import sys

    from timeline.workers import room_for_a_worker

    if turtle_workers > 1:
        return bool(jobs) or room_for_a_worker(2)
    if jobs is not None or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if not sys.platform.startswith("linux"):  # forking is the default start method there only
        return False
    return events >= VIEW_FORK_MIN and (os.cpu_count() or 1) >= 2 and room_for_a_worker()


def _view_and_mentions(
    b: Build, progress: Progress = quiet, rows: list[bytes] | None = None
) -> tuple[bytes, bytes | None]:
    """The view, and ``mentions.json`` unless its rows come from the cache (None then)."""
    from timeline.export.html import render_view
    from timeline.store import mention_rows, mentions_json

    page = render_view(b, progress=progress)
    return page, None if rows is not None else mentions_json([mention_rows(b.mentions)])


def checked_base(b: Build) -> str:
    """The build's base IRI, or an error that says how to write one."""
    import pyoxigraph

    from timeline.export.rdf import NtIris

    base = NtIris(b.base or b.dataset.dataset.base).base
    try:
        pyoxigraph.NamedNode(base + "dataset/build")
    except ValueError as exc:
        raise ExportError(
            f"base IRI '{base}' is not a valid IRI ({exc}); write one like "
            "https://example.org/timeline/"
        ) from None
    return base


def _sha256(parts: Any) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def _previous(out: Path, base: str, cache: Cache | None) -> Any:
    """The current build of `out`, when its store can be updated into the new one: same base
    and code, and the cache still holds its Turtle chunks."""
    from timeline.cache import code_version
    from timeline.store import CHUNKS, open_built

    if cache is None:
        return None
    try:
        built = open_built(out)
        keys = (built.folder / CHUNKS).read_text().split()
    except (TimelineError, OSError):
        return None
    if built.base != base or built.manifest.get("code") != code_version() or not keys:
        return None
    try:
        built.store()
    except TimelineError:  # a damaged store: this build loads a new one
        return None
    if not all(cache.has("turtle", k) for k in keys):
        return None
    return built, keys


UPDATE_CHUNKS = 8
"""A store is updated from the previous one while at most this many chunks of Turtle (or an
eighth of them) changed; past that, it is loaded whole (each triple taken out one by one costs
more than a bulk load of every triple)."""


def _update(previous: Any, folder: Path, cache: Cache, base: str, build_id: str) -> bool:
    """The new store from the previous one and the chunks of Turtle that changed; False (and
    nothing made) when so many changed that loading the whole graph is faster (an edited
    actor name changes every event's mentions that could name it)."""
    from timeline.export.rdf import turtle_header
    from timeline.store import STORE, update_store

    built, old = previous
    new = cache.chunks
    kept_old, kept_new = set(old), set(new)
    removed = [k for k in dict.fromkeys(old) if k not in kept_new]
    added = [k for k in dict.fromkeys(new) if k not in kept_old]
    if len(removed) + len(added) > max(UPDATE_CHUNKS, len(new) // 8):
        return False
    taken_out = [cache.get("turtle", k) for k in removed]
    put_in = [cache.get("turtle", k) for k in added]
    if any(not isinstance(c, bytes) for c in [*taken_out, *put_in]):
        return False  # a cache entry damaged since: load the store whole
    try:
        update_store(
            built.folder / STORE, folder, turtle_header(), taken_out, put_in, base, build_id
        )
    except (OSError, RuntimeError, ValueError, SyntaxError):  # the previous store, damaged
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        return False
    return True


class Forked:
    """What a process forked now makes (it inherits the build: nothing is pickled on the
    way in); `result` waits for them, or raises the worker's error."""

    def __init__(self, make: Callable[[], Any]) -> None:
        import multiprocessing
        import threading

        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_forked_main, args=(make, send), daemon=True)
        self._proc.start()
        send.close()
        self._result: tuple[bool, Any] | None = None
        # a thread takes the bytes as soon as they are made, so the worker ends (and frees
        # its memory) then
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            self._result = self._recv.recv()
        except (EOFError, OSError):
            self._result = None

    def result(self) -> Any:
        self._reader.join()
        result, self._result = self._result, None
        self.close()
        if result is None:
            raise ExportError(
                "the process rendering the view stopped before it finished "
                "(out of memory?); run the build again with --jobs 1"
            )
        ok, payload = result
        if not ok:
            raise payload
        return payload

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._reader.join()
        self._recv.close()


def _forked_main(make: Callable[[], Any], send: Any) -> None:
    from timeline.workers import ignore_interrupts

    ignore_interrupts()
    try:
        result: tuple[bool, Any] = (True, make())
    except TimelineError as exc:  # as the same error raised in the parent would read
        result = (False, exc)
    except Exception as exc:  # noqa: BLE001 - named, and sent to the parent
        kind = "out of memory" if isinstance(exc, MemoryError) else type(exc).__name__
        result = (
            False,
            ExportError(f"rendering the view failed: {kind}" + (f": {exc}" if str(exc) else "")),
        )
    send.send(result)
    send.close()
