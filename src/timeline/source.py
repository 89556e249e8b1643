"""What a command reads: a build folder (read as built), or a dataset built in memory.

`make_build` runs load -> validate -> extract -> link (no file written); `timeline build` and the
readers share it. `read_build` is what `export`, `push`, `actors`, `relations`, `path` and
`entities` take: a build folder is read as it was built (no extraction runs); a dataset is built
here, unless it is large, when the message says to build it once and read the folder instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from timeline.errors import TimelineError
from timeline.graph import Build, Mention
from timeline.progress import Progress, quiet

if TYPE_CHECKING:
    from timeline.cache import Cache

LARGE_DATASET = 4 * 1024 * 1024
"""Bytes of YAML past which a reading command asks for a build folder instead (about 2,000
events: extraction then takes tens of seconds on every command)."""


def make_build(
    path: str | Path,
    base: str | None = None,
    progress: Progress = quiet,
    ner: str | None = None,
    cache: Cache | None = None,
    jobs: int | None = None,
    files: list[tuple[str, bytes]] | None = None,
    build_id: str = "",
) -> Build:
    """Load and validate, extract and link mentions (no files written).

    `ner` is "gazetteer", "model", "none" or "auto" (the statistical model if installed);
    None: the dataset's `dataset.ner`, else gazetteer;
    `jobs` is how many processes extract (None: both cores when the input is large enough);
    `files` are the dataset's files when the caller read them already.
    """
    from timeline.load import dataset_files, read_files
    from timeline.ner import choose

    files = dataset_files(path) if files is None else files
    ner = choose(ner, files)
    progress("load and validate")
    if cache is not None:  # incremental: reuse what unchanged files and events produced
        from timeline import cache as cached
        from timeline.load import gc_paused

        cache.mention_rows, cache.mention_keys = [], {}  # this build's, never a previous one's
        with gc_paused():  # unpickling makes millions of objects, none in cycles
            dataset = cached.load_dataset(path, cache, progress, files)
    else:
        dataset = read_files(files)
    mentions: list[Mention] = []
    pipeline = ""
    if ner != "none":
        if cache is not None:  # imports spaCy only if an event is extracted again
            mentions, pipeline = cached.extract_mentions(dataset, ner, cache, progress, jobs)
        else:
            from timeline.link import extract_mentions  # imports spaCy

            mentions, pipeline = extract_mentions(dataset, ner, progress, jobs)
    media = read_media(dataset)
    if media and build_id:  # the images are inputs too: another image, another build
        build_id = media_build_id(build_id, media)
    # the networkx graph is made when an exporter or analysis first asks for it (Build.graph)
    return Build(
        dataset, mentions=mentions, pipeline=pipeline, base=base, build_id=build_id, media=media
    )


def read_media(dataset: Any) -> dict[str, bytes]:
    """The bytes of every local media file the dataset names, by file as written."""
    out: dict[str, bytes] = {}
    for name, path in sorted(dataset.media_files().items()):
        try:
            out[name] = Path(path).read_bytes()
        except OSError as exc:
            raise TimelineError(
                f"media file {path} cannot be read ({exc.strerror or exc}); put it back or "
                "remove it from the dataset"
            ) from None
    return out


def media_digests(media: dict[str, bytes]) -> dict[str, str]:
    """Each media file's SHA-256, by file as written (the manifest records them)."""
    import hashlib

    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(media.items())}


def media_build_id(input_id: str, media: dict[str, bytes]) -> str:
    """The build id of a dataset with local media: its input id and the images' digests."""
    from timeline.cache import digest

    return digest(input_id, *(f"{k}={v}" for k, v in media_digests(media).items()))[:20]


def read_build(
    path: Any, base: str | None = None, progress: Progress = quiet, ner: str | None = None
) -> Build:
    """The build a reading command works on: a build folder as built, else the dataset built
    in memory (refused when large: build it once, then read the folder)."""
    from timeline.net import Remote
    from timeline.store import is_build_folder, open_built, same_base

    if isinstance(path, Remote):  # timeline.remote (httpx) is imported only for a store
        from timeline.remote import fetch_build

        return fetch_build(path, base=base, progress=progress)
    if is_build_folder(path):
        progress("read the build")
        built = open_built(path)
        if base is not None and not same_base(base, built):
            raise TimelineError(
                f"{path} was built with base {built.base}; rebuild it with "
                f"--base {base} to change it"
            )
        return built.build()
    from timeline.load import dataset_files
    from timeline.ner import choose

    check_small(path)
    files = dataset_files(path)
    ner = choose(ner, files)
    return make_build(
        path,
        base=base,
        progress=progress,
        ner=ner,
        files=files,
        build_id=build_id(files, ner, base),
    )


def check_small(path: str | Path) -> None:
    """Refuse to build a large dataset on every reading command."""
    p = Path(path)
    if str(path) == "-" or not p.exists():
        return
    from timeline.load import YAML_SUFFIXES

    files = (
        [f for f in p.rglob("*") if f.suffix in YAML_SUFFIXES and f.is_file()]
        if p.is_dir()
        else [p]
    )
    size = sum(f.stat().st_size for f in files)
    if size > LARGE_DATASET:
        raise TimelineError(
            f"{path} is large ({size / 1e6:.0f} MB of YAML): build it once with "
            f"`timeline build {path} -o out/`, then give out/ to this command (it reads the "
            "build instead of extracting every text again)"
        )


def build_id(files: list[tuple[str, bytes]], ner: str, base: str | None) -> str:
    """What every output of a build is made from, hashed: the dataset's files, the NER
    pipeline (mode, spaCy and model releases), the base IRI and the code version."""
    import hashlib

    from timeline.cache import code_version, digest
    from timeline.ner import installed_model, model_version, resolve_mode, spacy_version

    mode = "none" if ner == "none" else resolve_mode(ner)
    model = installed_model() if mode == "model" else None
    parts: list[bytes | str] = [
        code_version(),
        mode,
        spacy_version() if mode != "none" else "",
        f"{model}=={model_version(model)}" if model else "",
        base or "",
    ]
    for name, data in files:
        parts += [Path(name).name, hashlib.sha256(data).digest()]
    return digest(*parts)[:20]
