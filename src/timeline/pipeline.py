"""build(): load -> validate -> extract -> link -> graph -> export, with progress callbacks.

The library never prints: callers pass `progress`, a callable told the name of each stage as it
starts (the CLI turns that into a rich progress display).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from timeline.graph import Build, Mention
from timeline.load import read_dataset
from timeline.progress import Progress, quiet

if TYPE_CHECKING:
    from timeline.cache import Cache


@dataclass
class BuildResult:
    build: Build
    outputs: list[Path] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return self.build.dataset.summary()


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


def render_outputs(build: Build, progress: Progress = quiet, cache: Cache | None = None
                   ) -> dict[str, bytes]:
    """Every output file of a build, by file name, rendered in memory."""
    files = stream_outputs(build, progress, cache)
    return {name: data if isinstance(data, bytes) else b"".join(data)
            for name, data in files.items()}


def stream_outputs(build: Build, progress: Progress = quiet, cache: Cache | None = None,
                   jobs: int | None = None) -> dict[str, bytes | Iterator[bytes]]:
    """Every output file of a build, by file name; the Turtle as pieces made while it is
    written (1 GB at 100k events, never held whole; by `jobs` processes), the HTML view
    rendered already."""
    progress("RDF and Turtle")
    turtle: Iterator[bytes]
    if cache is not None:
        from timeline import cache as cached

        turtle = cached.turtle_parts(build, cache, progress)
    else:
        from timeline.export.rdf import turtle_parts

        turtle = turtle_parts(build, progress, jobs)
    from timeline.export.html import VIEW_FILE, render_view

    return {"graph.ttl": turtle, VIEW_FILE: render_view(build, progress=progress)}


def build(
    path: str | Path, out_dir: str | Path, base: str | None = None, progress: Progress = quiet,
    ner: str = "auto", cache: Cache | None = None, jobs: int | None = None,
) -> BuildResult:
    """Build the dataset at `path` into `out_dir`. Nothing is written unless every stage works
    (a cache made with ``defer=True`` is written only once the data validated and the RDF is
    being made)."""
    from timeline.atomic import atomic_write_many

    b = make_build(path, base=base, progress=progress, ner=ner, cache=cache, jobs=jobs)
    files = stream_outputs(b, progress=progress, cache=cache, jobs=jobs)
    progress("write")
    out = Path(out_dir)
    targets = {out / name: data for name, data in files.items()}
    atomic_write_many(targets)
    if cache is not None:
        cache.flush()
        cache.prune("turtle")
    return BuildResult(build=b, outputs=sorted(targets))
