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
    typer.Argument(
        help="A YAML file, a folder of YAML files, or - for standard input.",
        show_default=False,
        metavar="PATH",
    ),
]
SourceArg = Annotated[
    Path,
    typer.Argument(
        help="A build folder (from timeline build: read as built, no extraction "
        "runs), or a dataset: a YAML file, a folder of YAML files, or -.",
        show_default=False,
        metavar="PATH",
    ),
]
BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base",
        help="Base IRI for the graph's identifiers (ends with / or #).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        from timeline import __version__

        typer.echo(f"timeline {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Turn curated news events into a knowledge graph, a timeline and an interactive view.

    Example: timeline build data/events.yaml -o out/
    """


def fail(error: TimelineError) -> None:
    """Print a user error in red on stderr and exit with status 1."""
    if isinstance(error, InvalidDataset):
        for problem in error.problems:
            err.print(Text(str(problem), style="red"))
        n = len(error.problems)
        err.print(
            Text(f"{n} problem{'s' if n != 1 else ''} found; nothing was written", style="bold red")
        )
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

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=None)
        yield lambda stage: progress.update(task, description=stage)


@app.command()
def validate(
    path: DataArg,
    more: Annotated[
        list[Path] | None,
        typer.Argument(
            help="More files or folders, merged with the first as a folder's files are "
            "(a draft from timeline extract against its dataset).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a dataset and report every problem at once, each with file:line:column.

    Example: timeline validate data/events.yaml

    A draft with its dataset: timeline validate data/events.yaml draft.yaml
    """
    from timeline.load import dataset_files, read_files

    with user_errors():
        files = [f for p in [path, *(more or [])] for f in dataset_files(p)]
        dataset = read_files(files)
    for note in dataset.warnings:
        err.print(f"warning: {note}", markup=False, highlight=False)
    shown = " + ".join(str(p) for p in [path, *(more or [])])
    out.print(f"{shown}: valid: {dataset.summary()}")


@app.command()
def build(
    path: DataArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")] = Path("out"),
    base: BaseOpt = None,
    ner: Annotated[
        str | None,
        typer.Option(
            "--ner",
            help="Entity extraction: gazetteer, model (the statistical model, an optional "
            "extra), none, or auto (the model when installed). Default: the dataset's "
            "dataset.ner, else gazetteer. The manifest records the pipeline used.",
            show_default=False,
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="Cache folder for incremental rebuilds: each file's validated items, "
            "the mentions of each run of events and each chunk of Turtle, keyed by content. "
            "Default: OUT/.cache. It holds pickles: keep it private.",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Build everything afresh and keep no cache.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes for entity extraction; 2 or more also write "
            "Turtle and render the view beside the main process. Default: 2 for a large dataset "
            "on a machine with two or more cores and the memory; 1 uses no worker.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build the knowledge graph, the view and a graph store from a dataset into a folder.

    OUT gets graph.ttl, view.html, store/ (an on-disk SPARQL store that query, actors, serve,
    export and push open in milliseconds) and manifest.json, all of one build, switched in
    together. A rebuild reuses what did not change (see --cache).

    Example: timeline build data/events.yaml -o out/
    """
    from timeline.cache import Cache
    from timeline.pipeline import build as run_build

    if str(output) == "-":
        fail(
            TimelineError(
                "build writes a folder of files, not standard output; give -o a "
                "folder, or use `timeline export -f FORMAT -o -`"
            )
        )
    store = None
    if not no_cache:
        # Entries are written only once the data validated, so a failed build leaves none.
        store = Cache(cache or output / ".cache", defer=True)
    with user_errors(), stages() as progress:
        result = run_build(
            path, output, base=base, progress=progress, ner=ner, cache=store, jobs=jobs
        )
    for warning in result.warnings:
        err.print(Text(f"warning: {warning}", style="yellow"))
    out.print(f"{path}: built {result.summary}")
    kept = result.store in ("kept", "switched")
    if result.store == "kept":
        out.print(f"  build {result.manifest['build']}: nothing changed; the outputs stand")
    elif result.store == "switched":
        out.print(
            f"  build {result.manifest['build']}: built before from the same input; "
            "switched back to it"
        )
    elif store is not None:
        s = store.stats
        # reused whole, or from every file's entry (after an edit was built once)
        reused = "dataset" in s.hits or ("file" in s.hits and "file" not in s.misses)
        out.print(
            f"  cache: dataset {'reused' if reused else 'validated'}, "
            f"{s.reused} events' mentions reused, {s.extracted} extracted, "
            f"{s.turtle_reused} Turtle chunks reused, {s.turtle_made} made; "
            f"store {result.store}"
            + (f", {len(s.rebuilt)} damaged entries rebuilt" if s.rebuilt else "")
        )
    if result.pipeline:
        total, linked = result.mentions
        out.print(f"  extraction: {result.pipeline}: {total} mentions, {linked} linked")
    if not kept:
        out.print(f"  build {result.manifest['build']} ({result.seconds:.1f} s)")
    for p in result.outputs:
        out.print(f"  {'kept' if kept else 'wrote'} {p}")


EXPORT_FORMATS = (
    "turtle, ntriples, jsonld, trig, rdfxml, timelinejs, timelinejs-html, sheet, csv, "
    "markdown, gexf, graphml"
)


@app.command()
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {EXPORT_FORMATS}.", show_default=False)
    ],
    path: OptionalSource = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write, a folder (csv: one file per table), or - for "
            "standard output. Default: out/timeline.EXT (csv: out/timeline.csv.zip; sheet: "
            "out/timeline.csv, or .xlsx when -o names one).",
            show_default=False,
        ),
    ] = None,
    base: BaseOpt = None,
    endpoint: EndpointOpt = None,
    graph: GraphOpt = None,
    timeout: RemoteTimeout = 300.0,
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="timelinejs, timelinejs-html, sheet: the window's first day (YYYY, YYYY-MM or "
            "YYYY-MM-DD). Default: the story's focus period, longer spans as background.",
            show_default=False,
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="timelinejs, timelinejs-html, sheet: the window's last day (a month means its "
            "last day).",
            show_default=False,
        ),
    ] = None,
    groups: Annotated[
        bool,
        typer.Option(
            "--groups/--no-groups",
            help="timelinejs, timelinejs-html: group slides by type family (Security, "
            "Justice, Politics, Economy, Humanitarian, Other).",
        ),
    ] = True,
) -> None:
    """Export the dataset in one format, with the same identifiers in every format.

    Example: timeline export out/ --format timelinejs -o timeline.json

    A page that opens offline: timeline export out/ -f timelinejs-html -o story.html

    The TimelineJS spreadsheet: timeline export out/ -f sheet -o story.xlsx (or story.csv)

    From a shared store: timeline export --endpoint http://127.0.0.1:7878/query -f markdown
    """
    from timeline.export.formats import Options
    from timeline.export.formats import export as run_export

    with user_errors(), stages() as progress:
        opts = Options.parse(date_from, date_to, groups)
        source, _ = _reading(path, [], endpoint, graph, timeout, "")
        result = run_export(source, fmt, output, base=base, progress=progress, opts=opts)
    if result.stdout is not None:
        stream = typer.get_binary_stream("stdout")
        stream.write(result.stdout)
        stream.flush()
        return
    out.print(f"{getattr(source, 'url', source)}: exported {result.summary} as {result.format}")
    for p in result.written:
        out.print(f"  wrote {p}")


@app.command()
def push(
    path: SourceArg,
    endpoint: Annotated[
        str,
        typer.Option(
            "--endpoint",
            help="Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store "
            "(Oxigraph) or http://HOST:3030/DATASET/data (Fuseki).",
            show_default=False,
        ),
    ],
    graph: Annotated[
        str | None,
        typer.Option(
            "--graph",
            help="Named graph to replace. Default: BASE/graph/DATASET-ID (the dataset's "
            "dataset.id, else its title as a slug).",
            show_default=False,
        ),
    ] = None,
    base: BaseOpt = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", help="Bearer token (default: $TIMELINE_STORE_TOKEN).", show_default=False
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="User for HTTP basic auth (default: $TIMELINE_STORE_USER).",
            show_default=False,
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Password (default: $TIMELINE_STORE_PASSWORD; prefer the variable: "
            "options show in the process list).",
            show_default=False,
        ),
    ] = None,
    retries: Annotated[int, typer.Option(help="Retries on connection errors and 5xx.")] = 3,
    backoff: Annotated[float, typer.Option(help="Seconds before the first retry; doubles.")] = 0.5,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the server.", min=0.001)
    ] = 60.0,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Overwrite the graph even when another dataset pushed it (or something else "
            "wrote it).",
        ),
    ] = False,
    query_endpoint: Annotated[
        str | None,
        typer.Option(
            "--query-endpoint",
            help="The store's SPARQL query URL, read before the graph is replaced. Default: "
            "beside --endpoint (Oxigraph /store -> /query, Fuseki /DATASET/data -> "
            "/DATASET/sparql).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Upload the graph to a triple store (SPARQL 1.1 Graph Store Protocol); PUT replaces the
    named graph, so pushing twice is the same as pushing once. The graph is the dataset's own
    (named by its dataset.id) and records it; a graph another dataset pushed is not replaced
    unless --replace is given.

    Example: timeline push out/ --endpoint http://127.0.0.1:7878/store
    """
    from timeline.push import Credentials
    from timeline.push import push as run_push

    with user_errors(), stages() as progress:
        credentials = Credentials.resolve(token, user, password)
        result = run_push(
            path,
            endpoint,
            graph,
            base=base,
            credentials=credentials,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            progress=progress,
            replace=replace,
            queries=query_endpoint,
        )
    out.print(
        f"{path}: pushed {result.triples} triples ({result.summary}) to graph "
        f"<{result.graph}> at {result.endpoint} (HTTP {result.status}, "
        f"{result.attempts} attempt{'s' if result.attempts != 1 else ''})"
    )


@app.command()
def view(
    path: Annotated[
        Path, typer.Argument(help="A build folder (holding view.html) or the file.")
    ] = Path("out"),
    print_only: Annotated[
        bool, typer.Option("--print", help="Only print the file's path.")
    ] = False,
) -> None:
    """Open the interactive view of a build in a browser, or print its path if there is no display.

    Example: timeline view out/
    """
    from timeline.export.html import find_view, open_view

    with user_errors():
        if print_only:
            out.print(str(find_view(path)))
            return
        result = open_view(path)
    if result.opened:
        out.print(f"opened {result.path} in the browser")
    else:
        out.print(f"no display to open a browser on; open this file in a browser: {result.path}")


# --- query and analysis (issue 5) ---------------------------------------------------------


FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Keep events that may fall on or after this date (YYYY, YYYY-MM, YYYY-MM-DD).",
        show_default=False,
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to",
        help="Keep events that may fall on or before this date (a month means its last day).",
        show_default=False,
    ),
]
TableFormat = Annotated[str, typer.Option("--format", help="table, csv or json.")]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="Read a shared store instead of PATH: its SPARQL query URL, e.g. "
        "http://127.0.0.1:7878/query (Oxigraph) or http://HOST:3030/DATASET/sparql (Fuseki). "
        "Default: $TIMELINE_ENDPOINT when no PATH is given. Credentials: "
        "$TIMELINE_STORE_TOKEN, or $TIMELINE_STORE_USER and $TIMELINE_STORE_PASSWORD.",
        show_default=False,
    ),
]
GraphOpt = Annotated[
    str | None,
    typer.Option(
        "--graph",
        help="With --endpoint: the named graph to read. Default: the store's one dataset "
        "(the graphs holding it, or the default graph); with several, the error lists them.",
        show_default=False,
    ),
]
RemoteTimeout = Annotated[
    float, typer.Option("--timeout", help="With --endpoint: seconds to wait for it.", min=0.001)
]
OptionalSource = Annotated[
    Path | None,
    typer.Argument(
        help="A build folder (from timeline build: read as built, no extraction runs), or a "
        "dataset: a YAML file, a folder of YAML files, or -. Leave out with --endpoint.",
        show_default=False,
        metavar="PATH",
    ),
]


def _env_endpoint() -> str | None:
    import os

    from timeline.net import ENDPOINT_ENV

    return os.environ.get(ENDPOINT_ENV) or None


def _reading(
    path: Path | None,
    rest: list[Any],
    endpoint: str | None,
    graph: str | None,
    timeout: float,
    needed: str,
) -> tuple[Any, list[Any]]:
    """Where a reading command reads, and its other positional arguments.

    With --endpoint (or $TIMELINE_ENDPOINT and no PATH), the arguments given move up one place:
    `timeline relations --endpoint URL maduro` names the actor, not a PATH. `needed` names
    the arguments after PATH, for the message when one is missing.
    """
    from timeline.net import IRI, Credentials, Remote

    missing = bool(rest) and rest[-1] is None
    env = _env_endpoint()
    if endpoint is None and env and (path is None or (missing and not path.exists())):
        endpoint = env
    if endpoint is not None:
        if path is not None and (not rest or not missing):
            raise TimelineError("give PATH or --endpoint, not both")
        given = [str(path)] if path is not None else []
        moved = (given + [r for r in rest if r is not None] + [None] * len(rest))[: len(rest)]
        if rest and moved[-1] is None:
            raise TimelineError(f"missing argument: give {needed} after the options")
        if graph is not None and not IRI.match(graph):
            raise TimelineError(f"--graph '{graph}' is not an absolute IRI")
        return Remote(endpoint, graph, Credentials.resolve(), timeout=timeout), moved
    if graph is not None:
        raise TimelineError("--graph picks a graph of a remote store: give it with --endpoint")
    if path is None:
        raise TimelineError(
            "give a build folder or a dataset (e.g. out/ or data/events.yaml), or a store's "
            "--endpoint URL"
        )
    if missing:
        raise TimelineError(f"missing argument: give {needed} after PATH")
    return path, rest


def _print_rows(columns: list[str], rows: list[list[Any]], fmt: str) -> None:
    """Rows as a rich table on a terminal (aligned plain text otherwise), CSV or JSON."""
    import csv
    import io
    import json

    if fmt == "json":  # numbers stay numbers
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    rows = [[f"{v:.3f}" if isinstance(v, float) else v for v in row] for row in rows]
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerows([columns, *rows])
        typer.echo(buffer.getvalue(), nl=False)
    elif fmt != "table":
        fail(TimelineError(f"unknown format '{fmt}'; choose table, csv or json"))
    elif out.is_terminal:
        from rich.table import Table

        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(*(Text(str(v)) for v in row))
        out.print(table)
    else:
        cells = [columns, *[[str(v) for v in row] for row in rows]]
        widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
        for r in cells:
            typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


@app.command()
def query(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="A build folder (from timeline build), a graph file (.ttl or .nt), or a "
            "dataset (YAML file, folder or -).",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Argument(help="A saved query (see --list).", show_default=False)
    ] = None,
    sparql: Annotated[
        str | None, typer.Option("--sparql", "-e", help="SPARQL text to run.", show_default=False)
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", "-f", help="A file holding SPARQL (- for standard input).", show_default=False
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="NAME=VALUE, bound to ?NAME (repeatable); actor ids become IRIs.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="table, csv, tsv, json or xml (SPARQL results); turtle or ntriples "
            "for CONSTRUCT/DESCRIBE.",
        ),
    ] = "table",
    timeout: Annotated[
        float, typer.Option(help="Stop the query after this many seconds.", min=0.001)
    ] = 30.0,
    base: BaseOpt = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the saved queries and their parameters.")
    ] = False,
    endpoint: EndpointOpt = None,
    graph: GraphOpt = None,
) -> None:
    """Run SPARQL over the graph: a saved query by name, inline text (-e) or a file (-f).

    Example: timeline query out/ actor-events --param actor=maduro

    Against a shared store: timeline query --endpoint http://127.0.0.1:7878/query actors
    """
    from timeline import query as q

    with user_errors():
        if list_queries:
            rows = [
                [
                    s.name,
                    " ".join(f"{p.name}={p.kind}" + ("" if p.required else "?") for p in s.params),
                    s.title,
                ]
                for s in q.saved_queries().values()
            ]
            _print_rows(["name", "parameters", "description"], rows, "table")
            return
        if path is None and endpoint is None and not _env_endpoint():
            raise q.QueryError(
                "give a dataset or a graph file, e.g. timeline query data/events.yaml actors "
                "(or a store's --endpoint URL)"
            )
        if name is None and path is not None and str(path) != "-" and not path.exists():
            if endpoint is not None or _env_endpoint():  # the one argument names the query
                name, path = str(path), None
        source, _ = _reading(path, [], endpoint, graph, timeout, "")
        with stages() as progress:
            answer = q.query(
                source,
                name=name,
                sparql=sparql,
                file=file,
                params=q.parse_assignments(param or []),
                fmt=fmt,
                timeout=timeout,
                base=base,
                progress=progress,
            )
    if answer.data is not None:
        stream = typer.get_binary_stream("stdout")
        stream.write(answer.data)
        if answer.data and not answer.data.endswith(b"\n"):  # JSON and XML end without one
            stream.write(b"\n")
        stream.flush()
    elif answer.kind == "ask":
        typer.echo("true" if answer.boolean else "false")
    else:
        _print_rows(list(answer.columns), answer.cells(), "table")


@app.command()
def actors(
    path: OptionalSource = None,
    start: FromOpt = None,
    end: ToOpt = None,
    limit: Annotated[
        int | None, typer.Option(help="Show only the top N.", show_default=False, min=1)
    ] = None,
    fmt: TableFormat = "table",
    endpoint: EndpointOpt = None,
    graph: GraphOpt = None,
    timeout: RemoteTimeout = 30.0,
) -> None:
    """Rank actors by degree, betweenness and eigenvector centrality over co-participation.

    Example: timeline actors out/ --from 2026-01 --limit 10
    """
    from timeline.analyze import Window, rank_actors

    notes: list[str] = []
    with user_errors(), stages() as progress:
        source, _ = _reading(path, [], endpoint, graph, timeout, "")
        ranks = rank_actors(source, Window.parse(start, end), limit, progress, notes)
    rows = [
        [
            i,
            r.actor,
            r.name,
            r.kind,
            r.events,
            r.partners,
            round(r.degree, 3),
            round(r.betweenness, 3),
            round(r.eigenvector, 3),
        ]
        for i, r in enumerate(ranks, 1)
    ]
    _print_rows(
        [
            "rank",
            "actor",
            "name",
            "kind",
            "events",
            "partners",
            "degree",
            "betweenness",
            "eigenvector",
        ],
        rows,
        fmt,
    )
    for note in notes:
        err.print(f"note: {note}", markup=False, highlight=False)


@app.command()
def relations(
    path: OptionalSource = None,
    actor: Annotated[
        str | None,
        typer.Argument(
            help="An actor id or one of its names.", show_default=False, metavar="ACTOR"
        ),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    fmt: TableFormat = "table",
    endpoint: EndpointOpt = None,
    graph: GraphOpt = None,
    timeout: RemoteTimeout = 30.0,
) -> None:
    """Who an actor is linked to: through which events and when, then curated relations.

    Example: timeline relations out/ maduro --from 2026-01-01
    """
    from timeline.analyze import Window
    from timeline.analyze import relations as run_relations

    with user_errors(), stages() as progress:
        source, (actor,) = _reading(path, [actor], endpoint, graph, timeout, "ACTOR")
        links = run_relations(source, actor, Window.parse(start, end), progress=progress)
    rows = [
        [link.date, link.partner, link.via, link.ref, link.role, link.partner_role, link.title]
        for link in links
    ]
    _print_rows(["date", "partner", "via", "ref", "role", "partner_role", "title"], rows, fmt)


@app.command()
def path(
    data: OptionalSource = None,
    a: Annotated[
        str | None,
        typer.Argument(help="The first actor (id or name).", show_default=False, metavar="A"),
    ] = None,
    b: Annotated[
        str | None,
        typer.Argument(help="The second actor (id or name).", show_default=False, metavar="B"),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    fmt: TableFormat = "table",
    endpoint: EndpointOpt = None,
    graph: GraphOpt = None,
    timeout: RemoteTimeout = 30.0,
) -> None:
    """The shortest chain of events linking two actors (fewest events).

    Example: timeline path out/ maduro colombia
    """
    from timeline.analyze import Window
    from timeline.analyze import path as run_path

    with user_errors(), stages() as progress:
        source, (a, b) = _reading(data, [a, b], endpoint, graph, timeout, "A B")
        hops = run_path(source, a, b, Window.parse(start, end), progress=progress)
    rows = [[i, h.actor, h.event, h.date, h.partner, h.title] for i, h in enumerate(hops, 1)]
    _print_rows(["step", "actor", "event", "date", "partner", "title"], rows, fmt)


@app.command()
def serve(
    data: Annotated[
        Path | None,
        typer.Argument(
            help="A build folder (from timeline build), a graph file (.ttl or .nt) or a "
            "dataset. Leave out with --endpoint.",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; keep 127.0.0.1 unless others must reach it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).", min=0, max=65535)] = 7070,
    view_file: Annotated[
        Path | None,
        typer.Option(
            "--view",
            help="HTML view served at / when the file exists. Default: the build "
            "folder's view.html, or out/view.html.",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Time limit per query, in seconds.", min=0.001)
    ] = 10.0,
    base: BaseOpt = None,
    endpoint: EndpointOpt = None,
    graph: GraphOpt = None,
) -> None:
    """Serve a read-only SPARQL 1.1 endpoint at /sparql, and the HTML view at /.

    Example: timeline serve out/ --port 7070

    In front of a shared store: timeline serve --endpoint http://127.0.0.1:7878/query
    """
    import sys

    from timeline.serve import run_server

    with user_errors():
        source, _ = _reading(data, [], endpoint, graph, timeout, "")
        shown = getattr(source, "url", source)

        def ready(url: str, what: str) -> None:
            out.print(
                f"serving {shown} ({what}): SPARQL at {url}sparql, view at {url}; Ctrl-C stops"
            )
            sys.stdout.flush()

        run_server(
            source, host=host, port=port, view=view_file, timeout=timeout, base=base, ready=ready
        )


NerOpt = Annotated[
    str | None,
    typer.Option(
        "--ner",
        help="gazetteer, model or auto (the model when installed). Default: the dataset's "
        "dataset.ner, else gazetteer.",
        show_default=False,
    ),
]


@app.command()
def entities(
    path: OptionalSource = None,
    show_unlinked: Annotated[
        bool,
        typer.Option("--unlinked", help="List the names no curated actor was linked to instead."),
    ] = False,
    ner: NerOpt = None,
    endpoint: EndpointOpt = None,
    graph: GraphOpt = None,
    timeout: RemoteTimeout = 300.0,
) -> None:
    """List curated actors with how often the event texts mention them, or the unlinked names.

    Example: timeline entities out/ --unlinked
    """
    from timeline.link import entities_report

    with user_errors(), stages() as progress:
        source, _ = _reading(path, [], endpoint, graph, timeout, "")
        report = entities_report(source, ner=ner, show_unlinked=show_unlinked, progress=progress)
    out.print(report, markup=False)


@app.command()
def extract(
    article: Annotated[
        Path,
        typer.Argument(
            help="The article: a UTF-8 text or HTML file, or - for standard input.",
            show_default=False,
        ),
    ],
    data: Annotated[
        Path, typer.Option("--data", "-d", help="The curated dataset whose actors to link to.")
    ] = Path("data/events.yaml"),
    published: Annotated[
        str | None,
        typer.Option(
            "--published",
            help="The article's publication day (YYYY-MM-DD): dates without a year and words "
            "such as 'yesterday' or 'last week' resolve against it.",
            show_default=False,
        ),
    ] = None,
    source_id: Annotated[
        str | None,
        typer.Option(
            "--source-id",
            help="The article's source id. Default: from its title.",
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="The article's web address.", show_default=False)
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            help="The article's title. Default: its first line when short, else the file name.",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="en or es (default: the dataset's language). Spanish uses spaCy's blank "
            "Spanish pipeline and Spanish month, weekday and trigger words.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The draft file to write (default: standard output).",
            show_default=False,
        ),
    ] = None,
    ner: NerOpt = None,
) -> None:
    """Read a new article and write a draft in the dataset format: a source for the article,
    new actors with a guessed kind, one event per event-bearing sentence with a type, a date,
    places, role guesses and quotes, and a `review` list on everything a person must check.

    Example: timeline extract article.txt -d data/events.yaml --published 2026-01-14 -o draft.yaml

    Then: timeline validate data/events.yaml draft.yaml; timeline merge draft.yaml data/events.yaml
    """
    from datetime import date as Date

    from timeline.draft import ArticleInfo, extract_draft

    with user_errors(), stages() as progress:
        try:
            day = Date.fromisoformat(published) if published else None
        except ValueError:
            raise TimelineError(
                f"--published '{published}' is not a day; write YYYY-MM-DD"
            ) from None
        if lang is not None and lang not in ("en", "es"):
            raise TimelineError(f"--lang '{lang}': choose en or es")
        name = "<stdin>" if str(article) == "-" else article.name
        info = ArticleInfo(name, day, source_id, url, title, lang)
        text = extract_draft(article, data, info, ner=ner, progress=progress)
        if output is not None and str(output) != "-":
            from timeline.atomic import atomic_write

            atomic_write(output, text.encode())
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
    else:
        out.print(f"{article}: wrote the draft to {output}")


@app.command()
def merge(
    draft: Annotated[
        Path, typer.Argument(help="The reviewed draft (from timeline extract).", show_default=False)
    ],
    target: Annotated[
        Path, typer.Argument(help="The dataset YAML file to add it to.", show_default=False)
    ],
    duplicates: Annotated[
        bool,
        typer.Option(
            "--duplicates",
            help="Also add the drafted events marked duplicate_of an existing event.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the merged dataset here instead of changing TARGET.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Add a draft's sources, actors, events, claims and relations to a dataset file, keeping
    its comments, order and layout. Nothing changes unless the result validates.

    Example: timeline merge draft.yaml data/events.yaml
    """
    from timeline.merge import merge as run_merge

    with user_errors():
        result = run_merge(draft, target, duplicates=duplicates, output=output)
    out.print(f"{draft}: merged {result.summary()} into {output or target}")
    for new_id, old_id in result.left_out:
        out.print(f"  left out {new_id}: it may restate {old_id} (--duplicates adds it)")


@app.command("import")
def import_(
    sheet: Annotated[
        Path,
        typer.Argument(
            help="A TimelineJS spreadsheet (Knight Lab's template): .csv or .xlsx.",
            show_default=False,
            metavar="SHEET",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The dataset YAML to write (default: standard output).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Turn a filled-in TimelineJS spreadsheet into a valid dataset: dates with their
    precision, Display Date kept, HTML made plain text, title and era rows, media. Every
    problem is listed at once (row and column); nothing is written on any problem.

    Example: timeline import sheet.csv -o data/story.yaml
    """
    from timeline.sheet import import_sheet, read_sheet

    with user_errors():
        if output is None or str(output) == "-":
            typer.echo(read_sheet(sheet), nl=False)
            return
        dataset = import_sheet(sheet, output)
    out.print(f"{sheet}: imported {dataset.summary()} to {output}")


INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


def main() -> None:
    """Run the CLI; Ctrl-C ends any command with one line on stderr and exit status 130."""
    import signal
    import sys

    try:
        app()
    except KeyboardInterrupt:  # typer turns one inside a command into Exit(130) itself
        pass
    except SystemExit as exc:
        if exc.code != INTERRUPTED:
            # The command is over; a Ctrl-C while Python shuts down would only turn a finished
            # run into a traceback or a wrong status.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if exc.code == 2:  # click's status for a usage error; every user error here is 1
                sys.exit(1)
            raise
    else:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return
    # Outputs are replaced only once complete (timeline.atomic): an interrupted run leaves the
    # previous ones as they were, or (stopped after writing) the new ones in full.
    err.print(Text("interrupted: stopped; no output file was left half-written", style="bold red"))
    sys.exit(INTERRUPTED)


if __name__ == "__main__":
    main()
