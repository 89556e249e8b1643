"""The `timeline` command line: parse arguments, call one library function, map errors.

Heavy libraries (spaCy, rdflib, pyvis) are imported inside the commands that need them, so
`timeline --help` and `timeline validate` stay fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from timeline.errors import InvalidDataset, TimelineError

app = typer.Typer(
    name="timeline",
    help="Turn curated news events into a knowledge graph, a timeline and an interactive view.\n\n"
    "Example: timeline build data/events.yaml -o out/",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

DataArg = Annotated[
    Path,
    typer.Argument(help="A YAML file, a folder of YAML files, or - for standard input.",
                   show_default=False),
]
BaseOpt = Annotated[
    str | None,
    typer.Option("--base", help="Base IRI for the graph's identifiers (ends with / or #).",
                 show_default=False),
]


def fail(error: TimelineError) -> None:
    """Print a user error in red on stderr and exit with status 1."""
    if isinstance(error, InvalidDataset):
        for problem in error.problems:
            err.print(Text(str(problem), style="red"))
        n = len(error.problems)
        err.print(Text(f"{n} problem{'s' if n != 1 else ''} found; nothing was written",
                       style="bold red"))
    else:
        err.print(Text(f"error: {error}", style="bold red"))
    raise typer.Exit(1)


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except TimelineError as exc:
        fail(exc)


@contextmanager
def stages(enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """A rich progress display that shows each pipeline stage as it starts (on stderr)."""
    if not enabled or not err.is_terminal:
        yield lambda stage: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("starting", total=None)
        yield lambda stage: progress.update(task, description=stage)


@app.command()
def validate(path: DataArg) -> None:
    """Check a dataset and report every problem at once, each with file:line:column.

    Example: timeline validate data/events.yaml
    """
    from timeline.load import read_dataset

    with user_errors():
        dataset = read_dataset(path)
    out.print(f"{path}: valid: {dataset.summary()}")


@app.command()
def build(
    path: DataArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")] = Path("out"),
    base: BaseOpt = None,
    ner: Annotated[str, typer.Option(
        "--ner", help="Entity extraction: auto (the statistical model if installed), gazetteer, "
        "model, or none.")] = "auto",
) -> None:
    """Build the knowledge graph and views from a dataset into an output folder.

    Example: timeline build data/events.yaml -o out/
    """
    from timeline.pipeline import build as run_build

    with user_errors(), stages() as progress:
        result = run_build(path, output, base=base, progress=progress, ner=ner)
    out.print(f"{path}: built {result.summary}")
    mentions = result.build.mentions
    if result.build.pipeline:
        linked = sum(1 for m in mentions if m.actor is not None)
        out.print(f"  extraction: {result.build.pipeline}: {len(mentions)} mentions, "
                  f"{linked} linked")
    for p in result.outputs:
        out.print(f"  wrote {p}")


NerOpt = Annotated[str, typer.Option(
    "--ner", help="auto (the statistical model if installed), gazetteer or model.")]


@app.command()
def entities(
    path: DataArg,
    show_unlinked: Annotated[bool, typer.Option(
        "--unlinked", help="List the names no curated actor was linked to instead.")] = False,
    ner: NerOpt = "auto",
) -> None:
    """List curated actors with how often the event texts mention them, or the unlinked names.

    Example: timeline entities data/events.yaml --unlinked
    """
    from timeline.link import entities_report

    with user_errors(), stages() as progress:
        report = entities_report(path, ner=ner, show_unlinked=show_unlinked, progress=progress)
    out.print(report, markup=False)


@app.command()
def extract(
    article: Annotated[Path, typer.Argument(
        help="A UTF-8 text file, or - for standard input.", show_default=False)],
    data: Annotated[Path, typer.Option(
        "--data", "-d", help="The curated dataset whose actors to link to.")
    ] = Path("data/events.yaml"),
    ner: NerOpt = "auto",
) -> None:
    """Read a new article and print a draft YAML to curate: actors found (curated or new) and
    one candidate event per dated sentence, with its mentions. Writes no file.

    Example: timeline extract article.txt -d data/events.yaml > draft.yaml
    """
    from timeline.link import draft_yaml

    with user_errors(), stages() as progress:
        text = draft_yaml(article, data, ner=ner, progress=progress)
    typer.echo(text, nl=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
