"""build(): load -> validate -> extract -> link -> graph -> export, with progress callbacks.

The library never prints: callers pass `progress`, a callable told the name of each stage as it
starts (the CLI turns that into a rich progress display).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timeline.errors import ExportError, TimelineError
from timeline.graph import Build, Mention
from timeline.load import read_dataset
from timeline.progress import Progress, quiet

if TYPE_CHECKING:
    from timeline.cache import Cache
    from timeline.patch import Patched


@dataclass
class BuildResult:
    """What a build did: `build` is None when it patched the previous outputs (`patched`)."""

    build: Build | None
    outputs: list[Path] = field(default_factory=list)
    patched: Patched | None = None

    @property
    def summary(self) -> str:
        if self.patched is not None:
            return self.patched.summary
        assert self.build is not None
        return self.build.dataset.summary()

    @property
    def pipeline(self) -> str:
        if self.patched is not None:
            return self.patched.pipeline
        assert self.build is not None
        return self.build.pipeline

    @property
    def mentions(self) -> tuple[int, int]:
        """How many mentions the build holds, and how many of them are linked to an actor."""
        if self.patched is not None:
            return self.patched.mentions, self.patched.linked
        assert self.build is not None
        ms = self.build.mentions
        return len(ms), sum(1 for m in ms if m.actor is not None)


def make_build(path: str | Path, base: str | None = None, progress: Progress = quiet,
               ner: str = "auto", cache: Cache | None = None, jobs: int | None = None) -> Build:
    """Load and validate, extract and link mentions (no files written).

    `ner` is "auto" (the statistical model if installed), "gazetteer", "model" or "none";
    `jobs` is how many processes extract (None: both cores when the input is large enough).
    """
    progress("load and validate")
    if cache is not None:  # incremental: reuse what unchanged files and events produced
        from timeline import cache as cached

        dataset = cached.load_dataset(path, cache, progress)
    else:
        dataset = read_dataset(path)
    mentions: list[Mention] = []
    pipeline = ""
    if ner != "none":
        from timeline.link import extract_mentions  # imports spaCy: only when extracting

        if cache is not None:
            mentions, pipeline = cached.extract_mentions(dataset, ner, cache, progress, jobs)
        else:
            mentions, pipeline = extract_mentions(dataset, ner, progress, jobs)
    # the networkx graph is made when an exporter or analysis first asks for it (Build.graph)
    return Build(dataset, mentions=mentions, pipeline=pipeline, base=base)


def stream_outputs(build: Build, progress: Progress = quiet, cache: Cache | None = None,
                   jobs: int | None = None) -> dict[str, bytes | Iterable[bytes]]:
    """Every output file of a build, by file name; the Turtle as pieces made while it is
    written (1 GB at 100k events, never held whole; by `jobs` processes). For a large build
    the HTML view is rendered by a forked process meanwhile (close it with `close_outputs`
    should writing fail), else here."""
    from timeline.export.html import VIEW_FILE, render_view, render_view_indexed
    from timeline.export.rdf import turtle_jobs
    from timeline.workers import room_for_a_worker

    progress("RDF and Turtle")
    workers = turtle_jobs(len(build.dataset.events), jobs)  # decided once, for both outputs
    # The Turtle's plan is made first: a bad base IRI is refused before any worker starts.
    turtle: Iterator[bytes]
    if cache is not None:
        from timeline import cache as cached

        turtle = cached.turtle_parts(build, cache, progress)
    else:
        from timeline.export.rdf import turtle_parts

        turtle = turtle_parts(build, progress, workers)
    view: bytes | Iterable[bytes]
    # A cached build also notes where each event's entry lies in the view (`timeline.patch`).
    render = render_view if cache is None else render_view_indexed
    if workers > 1 and (jobs or room_for_a_worker(2)):
        view = Forked(functools.partial(render, build))
    else:
        view = Rendered(render(build, progress=progress))
    if cache is not None:
        return {"graph.ttl": Counted(turtle), VIEW_FILE: Counted(view)}
    return {"graph.ttl": turtle, VIEW_FILE: view}


class Rendered:
    """Bytes made here, as `Forked` gives those made by another process: `index` is what came
    with them, if anything."""

    def __init__(self, made: bytes | tuple[bytes, Any]) -> None:
        self.index: Any = None
        if isinstance(made, tuple):
            made, self.index = made
        self.data: bytes = made

    def __iter__(self) -> Iterator[bytes]:
        data, self.data = self.data, b""
        yield data


class Counted:
    """An output's pieces, counting its size and CRC-32 as they are written."""

    def __init__(self, parts: Iterable[bytes]) -> None:
        self.parts, self.size, self.crc = parts, 0, 0

    def __iter__(self) -> Iterator[bytes]:
        import zlib

        for part in self.parts:
            self.size += len(part)
            self.crc = zlib.crc32(part, self.crc)
            yield part


def close_outputs(files: dict[str, bytes | Iterable[bytes]]) -> None:
    for data in files.values():
        if isinstance(data, Counted):
            data = data.parts
        if isinstance(data, Forked):
            data.close()


class Forked:
    """Bytes made by a process forked now (it inherits the build: nothing is pickled on the way
    in). A thread takes them as soon as they are made, so the worker ends and frees its memory
    then; iterating gives them, or raises the worker's error."""

    def __init__(self, make: Callable[[], bytes | tuple[bytes, Any]]) -> None:
        import multiprocessing
        import threading

        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_forked_main, args=(make, send), daemon=True)
        self._proc.start()
        send.close()
        self._result: tuple[bool, Any] | None = None
        self.index: Any = None  # what came with the bytes, if they came as (bytes, index)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            self._result = self._recv.recv()
        except (EOFError, OSError):
            self._result = None

    def __iter__(self) -> Iterator[bytes]:
        self._reader.join()
        result, self._result = self._result, None
        self.close()
        if result is None:
            raise ExportError("the process rendering the view stopped before it finished "
                              "(out of memory?); run the build again with --jobs 1")
        ok, payload = result
        if not ok:
            raise payload
        if isinstance(payload, tuple):
            payload, self.index = payload
        yield payload

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
        result = (False, ExportError(f"rendering the view failed: {kind}"
                                     + (f": {exc}" if str(exc) else "")))
    send.send(result)
    send.close()


def build(
    path: str | Path, out_dir: str | Path, base: str | None = None, progress: Progress = quiet,
    ner: str = "auto", cache: Cache | None = None, jobs: int | None = None, patch: bool = True,
) -> BuildResult:
    """Build the dataset at `path` into `out_dir`. Nothing is written unless every stage works
    (a cache made with ``defer=True`` is written only once the data validated and the RDF is
    being made). With a cache, and unless `patch` is false, a build whose events changed only
    in their own text patches the previous outputs (`timeline.patch`)."""
    from timeline.atomic import atomic_write_many

    if cache is not None and patch:  # only events' own text changed: patch the outputs
        from timeline.patch import try_patch

        patched = try_patch(path, out_dir, base, ner, cache, progress)
        if patched is not None:
            return BuildResult(build=None, outputs=patched.outputs, patched=patched)
    b = make_build(path, base=base, progress=progress, ner=ner, cache=cache, jobs=jobs)
    files = stream_outputs(b, progress=progress, cache=cache, jobs=jobs)
    progress("write")
    out = Path(out_dir)
    targets = {out / name: data for name, data in files.items()}
    try:
        atomic_write_many(targets)
    finally:
        close_outputs(files)
    if cache is not None:
        _remember(b, path, out, base, ner, cache, files)
        cache.flush()
        for kind in ("dataset", "mentions", "turtle"):  # entries this build had no use for
            cache.prune(kind)
    return BuildResult(build=b, outputs=sorted(targets))


def _remember(b: Build, path: str | Path, out: Path, base: str | None, ner: str, cache: Cache,
              files: dict[str, Any]) -> None:
    """Leave the record a later build patches these outputs from (`timeline.patch`)."""
    from timeline.export.html import VIEW_FILE
    from timeline.patch import RECORD, make_record, output_of

    turtle, view = files["graph.ttl"], files[VIEW_FILE]
    index = view.parts.index
    if str(path) == "-" or index is None:
        return
    outputs = {"graph.ttl": output_of(out / "graph.ttl", turtle.size, turtle.crc),
               VIEW_FILE: output_of(out / VIEW_FILE, view.size, view.crc)}
    cache.put(*RECORD, make_record(b, path, out, base, ner, cache, index, outputs))
