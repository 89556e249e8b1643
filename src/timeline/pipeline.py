"""build(): load -> validate -> extract -> link -> graph -> export, with progress callbacks.

The library never prints: callers pass `progress`, a callable told the name of each stage as it
starts (the CLI turns that into a rich progress display).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from timeline.graph import Build, build_graph
from timeline.load import read_dataset

Progress = Callable[[str], None]


def _quiet(stage: str) -> None:
    pass


@dataclass
class BuildResult:
    build: Build
    outputs: list[Path] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return self.build.dataset.summary()


def make_build(path: str | Path, base: str | None = None, progress: Progress = _quiet) -> Build:
    """Load and validate the dataset, then build the graph (no files written)."""
    progress("load and validate")
    dataset = read_dataset(path)
    progress("graph")
    graph = build_graph(dataset)
    return Build(dataset=dataset, graph=graph, base=base)


def render_outputs(build: Build, progress: Progress = _quiet) -> dict[str, bytes]:
    """Every output file of a build, by file name, rendered in memory."""
    from timeline.export.rdf import serialize, to_rdf

    progress("RDF")
    graph = to_rdf(build)
    progress("serialize Turtle")
    return {"graph.ttl": serialize(graph, "turtle")}


def build(
    path: str | Path, out_dir: str | Path, base: str | None = None, progress: Progress = _quiet
) -> BuildResult:
    """Build the dataset at `path` into `out_dir`. Nothing is written unless every stage works."""
    from timeline.atomic import atomic_write_many

    b = make_build(path, base=base, progress=progress)
    files = render_outputs(b, progress=progress)
    progress("write")
    out = Path(out_dir)
    targets = {out / name: data for name, data in files.items()}
    atomic_write_many(targets)
    return BuildResult(build=b, outputs=sorted(targets))
