"""A build cache for incremental rebuilds: validated datasets and extracted mentions.

Every entry is keyed by content: the SHA-256 of the dataset's files (names and bytes), the
pipeline that made it, and the code version (the package version plus a hash of its source
files), so editing the data, switching the NER mode or changing the code can never serve a stale
entry. Entries are written atomically with a header (magic, length, SHA-256 of the payload);
an entry that is truncated, corrupted or written by other code fails that check, is deleted and
rebuilt, never trusted. Mentions are cached by runs of about 32 consecutive events (each
event keyed by its id, text, participants and places), so after editing one event only its run
is extracted again.

The cache holds pickles: it is a private, local folder (``.timeline-cache/`` by default); the
checksum catches corruption, not tampering, so do not share a cache folder with people you do
not trust.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeline import __version__
from timeline.atomic import atomic_write
from timeline.graph import Build, Mention
from timeline.models import Dataset, Event
from timeline.progress import Progress, quiet

DEFAULT_DIR = Path(".timeline-cache")
_MAGIC = b"timeline-cache\x01"
_HEADER = len(_MAGIC) + 8 + 32


SOURCES = (".py", ".rq", ".html", ".js", ".css")
"""What the outputs are made from: code, saved queries and the view's assets."""


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The package version plus a hash of every source file of the package."""
    return f"{__version__}+{source_hash(Path(__file__).resolve().parent)}"


def source_hash(root: Path) -> str:
    h = hashlib.sha256(__version__.encode())
    for f in sorted(root.rglob("*")):
        if f.suffix in SOURCES and f.is_file():
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def digest(*parts: bytes | str) -> str:
    """SHA-256 of the parts, each length-prefixed so that no two part lists collide."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "big") + b)
    return h.hexdigest()


@dataclass
class Stats:
    """What the cache did during one build (shown by the CLI and asserted by tests)."""

    hits: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # entries found corrupted
    extracted: int = 0  # events whose text went through extraction
    reused: int = 0  # events whose mentions came from the cache
    turtle_reused: int = 0  # chunks of Turtle served from the cache
    turtle_made: int = 0  # chunks of Turtle made again


class Cache:
    """A folder of checksummed entries; `get` returns None for a missing or damaged entry.

    With `defer`, entries are kept in memory until `flush` (called once the build's outputs are
    written), so a build that fails part way leaves the folder as it was.
    """

    def __init__(self, folder: str | Path = DEFAULT_DIR, defer: bool = False) -> None:
        self.folder = Path(folder)
        self.stats = Stats()
        self.defer = defer
        self._pending: dict[Path, bytes] = {}
        self._used: set[Path] = set()
        self.mention_keys: dict[str, str] = {}  # event id -> key of its cached mentions
        self.mention_rows: list[bytes] = []  # mentions.json's rows, by group of events
        self.file_keys: list[str] = []  # the key of each file's validated items
        self.chunks: list[str] = []  # the keys of the Turtle chunks the build wrote, in order

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key[:40]}.pickle"

    def get(self, kind: str, key: str) -> Any:
        path = self._path(kind, key)
        self._used.add(path)
        try:
            blob = path.read_bytes()
        except OSError:
            self.stats.misses.append(kind)
            return None
        payload = blob[_HEADER:]
        ok = (
            blob[: len(_MAGIC)] == _MAGIC
            and int.from_bytes(blob[len(_MAGIC) : len(_MAGIC) + 8], "big") == len(payload)
            and blob[len(_MAGIC) + 8 : _HEADER] == hashlib.sha256(payload).digest()
        )
        value = None
        if ok:
            try:
                entry = pickle.loads(payload)  # noqa: S301 - our own checksummed entry
            except Exception:  # a pickle of classes that changed shape: rebuild it
                ok = False
            else:
                ok = isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key
                value = entry[1] if ok else None
        if not ok:
            self.stats.rebuilt.append(kind)
            path.unlink(missing_ok=True)
            return None
        self.stats.hits.append(kind)
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is there (it may still fail its check when read)."""
        return self._path(kind, key).is_file() or self._path(kind, key) in self._pending

    def put(self, kind: str, key: str, value: Any) -> None:
        payload = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        blob = _MAGIC + len(payload).to_bytes(8, "big") + hashlib.sha256(payload).digest()
        path = self._path(kind, key)
        self._used.add(path)
        if self.defer:
            self._pending[path] = blob + payload
        else:
            atomic_write(path, blob + payload)

    def flush(self) -> None:
        """Write the deferred entries."""
        from timeline.atomic import atomic_write_many

        if self._pending:
            atomic_write_many(self._pending)
        self._pending = {}

    def drop(self, kind: str, key: str) -> None:
        """Delete one entry (one the build replaced)."""
        path = self._path(kind, key)
        self._pending.pop(path, None)
        path.unlink(missing_ok=True)

    def prune(self, kind: str) -> None:
        """Delete the entries of `kind` this build did not use (edited-away chunks), so that
        the folder does not grow with every edit."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob(f"{kind}-*.pickle"):
            if path not in self._used:
                path.unlink(missing_ok=True)


def dataset_key(files: Iterable[tuple[str, bytes]]) -> str:
    """The key of a dataset: its files' names and bytes, and the code version."""
    parts: list[bytes | str] = [code_version()]
    for name, data in files:
        parts += [name, hashlib.sha256(data).digest()]
    return digest(*parts)


def load_dataset(
    path: str | Path,
    cache: Cache,
    progress: Progress = quiet,
    files: list[tuple[str, bytes]] | None = None,
) -> Dataset:
    """`read_dataset`, served from the cache when no file of the dataset changed."""
    from timeline.load import dataset_files, read_files

    if files is None:
        files = dataset_files(path)  # hashed and validated from the same bytes
    cache.file_keys = [file_key(n, hashlib.sha256(d).digest()) for n, d in files]
    key = dataset_key(files)
    found = cache.get("dataset", key)
    if isinstance(found, Dataset):
        progress("load and validate (cached)")
        return found
    dataset, fresh = _from_parts(files, cache, progress)
    if dataset is None:
        dataset = read_files(files)  # raises with every problem, each where it is
    if fresh == len(files):
        # A whole-dataset entry only from a first build: after an edit, the files' entries
        # serve (pickling 100k events again would cost an edit 5 s), and a rebuild with no
        # change reads them and runs the cross-file checks again (1 s at 100k events).
        cache.put("dataset", key, dataset)
    return dataset


def file_key(name: str, sha: bytes) -> str:
    """The key of one file's validated items: its name and bytes, and the code version."""
    return digest(code_version(), "file", name, sha)


def _from_parts(
    files: list[tuple[str, bytes]], cache: Cache, progress: Progress
) -> tuple[Dataset | None, int]:
    """Validate only the files that changed (each valid file's items are cached by its bytes),
    then run the cross-file checks over all; None if any file or check has a problem. Also
    says how many files were validated afresh."""
    from timeline.load import FilePart, combine_parts, validate_file

    parts: list[FilePart] = []
    fresh = 0
    for (name, data), key in zip(files, cache.file_keys, strict=True):
        part = cache.get("file", key)
        if not isinstance(part, FilePart):
            part = validate_file(name, data)
            if part is None:
                return None, fresh + 1
            cache.put("file", key, part)
            fresh += 1
        parts.append(part)
    progress(f"load and validate: {fresh} of {len(files)} files changed")
    dataset = combine_parts(parts)
    if dataset is not None:
        cache.prune("file")  # entries of files edited since: they would only accumulate
    return dataset, fresh


def _gazetteer_key(dataset: Dataset, mode: str) -> str:
    """Mentions depend on the curated names (the gazetteer) and on the NER pipeline."""
    from timeline.ner import installed_model, model_version, spacy_version

    names = [(a.id, a.kind, *a.names) for a in sorted(dataset.actors, key=lambda a: a.id)]
    model = installed_model() if mode == "model" else ""
    if model:  # a new release of the model finds other mentions
        model += "==" + model_version(model)
    return digest(code_version(), mode, spacy_version(), model or "", repr(names))


FEW = 200
"""At most this many events to extract again: a gazetteer of the actors their texts may name
is built instead of the whole one (tested to find the same mentions), which saves most of
spaCy's set-up at 100k events. One edit makes one or two runs of events (`groups`) new."""

GROUP, GROUP_MAX = 32, 256
"""Mentions are cached by runs of consecutive events, each cut after an event whose id hashes
to 0 modulo GROUP, or, from 2 * GROUP events on, to 0 modulo GROUP / 4 (GROUP_MAX: a last
resort that 1 run in 10^24 reaches). The cuts depend on ids, not positions: an edited or added
event changes its own run only, a removed one its run, or its run and the next when the cut
after it goes too."""


def groups(events: list[Event]) -> list[list[Event]]:
    """The events in runs of about GROUP, cut where their ids say (see GROUP)."""
    import zlib

    out: list[list[Event]] = []
    run: list[Event] = []
    for e in events:
        run.append(e)
        h = zlib.crc32(e.id.encode()) % GROUP
        if h == 0 or (len(run) >= 2 * GROUP and h % (GROUP // 4) == 0) or len(run) == GROUP_MAX:
            out.append(run)
            run = []
    if run:
        out.append(run)
    return out


def extract_mentions(
    dataset: Dataset, ner: str, cache: Cache, progress: Progress = quiet, jobs: int | None = None
) -> tuple[list[Mention], str]:
    """`link.extract_mentions`, extracting only the groups of events whose text or context
    changed. Each group's entry also holds its rows of ``mentions.json``, so a build writes
    that file from its pieces (`Cache.mention_rows`) instead of encoding every mention again."""
    from timeline.load import gc_paused
    from timeline.ner import resolve_mode
    from timeline.store import mention_rows

    mode = resolve_mode(ner)
    gkey = _gazetteer_key(dataset, mode)
    # An event's mentions depend on its text and (for ambiguous names) on its participants.
    keys = {
        e.id: digest(e.id, e.text, *sorted({p.actor for p in e.participants} | set(e.places)))
        for e in dataset.events
    }
    runs = groups(dataset.events)
    run_keys = [digest(gkey, *(keys[e.id] for e in run)) for run in runs]
    found: list[Any] = []
    with gc_paused():  # a few objects per mention, none in cycles
        for run, key in zip(runs, run_keys, strict=True):
            entry = cache.get("mentions", key)
            ok = isinstance(entry, tuple) and len(entry) == 3 and len(entry[1]) == len(run)
            found.append(entry if ok else None)
    todo = [e for run, entry in zip(runs, found, strict=True) if entry is None for e in run]
    pipeline = next((entry[0] for entry in found if entry is not None), "")
    if not runs:  # no events: only the pipeline's name, kept under the gazetteer's key
        name = cache.get("mentions", gkey)
        pipeline = name if isinstance(name, str) else ""
    cache.stats.reused = len(dataset.events) - len(todo)
    cache.stats.extracted = len(todo)
    if todo or not pipeline:
        from timeline.link import extract_mentions as extract_all  # imports spaCy

        partial = dataset.model_copy(update={"events": todo})
        gazetteer = None
        if pipeline and len(todo) <= FEW:  # a few edited texts: only the actors they can name
            from timeline.extract import Gazetteer, gazetteer_for

            whole = Gazetteer.from_dataset(dataset).acronyms
            gazetteer = gazetteer_for(dataset.actors, (e.text for e in todo), whole)
        made, pipeline = extract_all(partial, ner, progress, jobs=jobs, gazetteer=gazetteer)
        by_event: dict[str, list[Mention]] = {e.id: [] for e in todo}
        for m in made:
            by_event[m.event].append(m)
        for i, (run, key) in enumerate(zip(runs, run_keys, strict=True)):
            if found[i] is None:
                per_event = [by_event[e.id] for e in run]
                rows = mention_rows([m for ms in per_event for m in ms])
                found[i] = (pipeline, per_event, rows)
                cache.put("mentions", key, found[i])
        if not runs:
            cache.put("mentions", gkey, pipeline)
    mentions = [m for entry in found for ms in entry[1] for m in ms]
    cache.mention_rows = [entry[2] for entry in found]
    # What an event's mentions are made from, for `turtle`'s keys: cheaper than their repr.
    cache.mention_keys = {e.id: digest(gkey, pipeline, keys[e.id]) for e in dataset.events}
    return mentions, pipeline


def turtle_parts(
    build: Build, cache: Cache, progress: Progress = quiet, workers: int = 1
) -> Iterator[bytes]:
    """`export.rdf.turtle_parts`, making again only the chunks whose events or other blocks
    changed (by `workers` processes when many did). The plan is made now (a bad base IRI is
    refused before any file is opened), the pieces as they are read.

    A chunk's key is made of its blocks' inputs: for an event, its fields, its resolved date
    and its mentions (the slow part: they are fingerprinted, not rendered); for the few other
    blocks (actors, sources, claims, relations, the dataset), their N-Triples text itself.
    Chunk boundaries depend on IRIs only, so one edited event changes one chunk's key.
    """
    from timeline.export import rdf

    events: dict[str, tuple[Event, list[Mention]]] = {}
    base = rdf.NtIris(build.base or build.dataset.dataset.base).base
    context = digest(code_version(), base, build.pipeline)

    known = cache.mention_keys if build.mentions else {}

    def fingerprint(e: Event, mentions: list[Mention]) -> str:
        events[e.id] = (e, mentions)
        made_from = known.get(e.id) or repr(mentions)
        return "\0" + e.id + "\0" + digest(context, e.model_dump_json(), repr(e.date), made_from)

    chunks = rdf.chunked(rdf.plan(build, event_text=fingerprint, render=rdf.Lines.turtle))
    return _turtle_pieces(
        chunks, rdf.NtIris(base), events, context, cache, progress, build.build_id, workers
    )


def _turtle_pieces(
    chunks: list[list[tuple[str, Callable[[], str]]]],
    iri: Any,
    events: dict[str, tuple[Event, list[Mention]]],
    context: str,
    cache: Cache,
    progress: Progress,
    build_id: str,
    workers: int = 1,
) -> Iterator[bytes]:
    from timeline.export import rdf

    # Past this point the data is valid and the base usable: deferred entries are written now,
    # and chunks as they are made, rather than held in memory (1 GB of Turtle at 100k events).
    # Should a later step fail, they are sound entries, keyed by content, of this very data.
    cache.defer = False
    cache.flush()
    yield rdf.turtle_header(build_id)
    made = [[(root, make()) for root, make in planned] for planned in chunks]
    cache.chunks = [digest(context, *(text for _, text in chunk)) for chunk in made]
    missing = {i for i, key in enumerate(cache.chunks) if not cache.has("turtle", key)}
    # The chunks the cache lacks (all of them in a first build) are rendered in order, by two
    # processes when there are many (as without the cache), while the others are read.
    jobs = workers if len(missing) >= 2 * rdf.GROUP else 1
    fresh = rdf.rendered([_renderable(made[i], iri, events) for i in sorted(missing)], None, jobs)
    try:
        for i, (chunk, key) in enumerate(zip(made, cache.chunks, strict=True)):
            data = None if i in missing else cache.get("turtle", key)
            if isinstance(data, bytes):
                cache.stats.turtle_reused += 1
            else:  # missing, or damaged since it was found (then made here)
                data = (
                    next(fresh)
                    if i in missing
                    else b"".join(rdf.rendered([_renderable(chunk, iri, events)]))
                )
                cache.put("turtle", key, data)
                cache.stats.turtle_made += 1
            yield data
            if (i + 1) % 50 == 0:
                progress(f"RDF and Turtle ({i + 1:,}/{len(chunks):,} chunks)")
    finally:
        fresh.close()


def _renderable(
    chunk: list[tuple[str, str]], iri: Any, events: dict[str, tuple[Event, list[Mention]]]
) -> list[tuple[str, Callable[[], str]]]:
    """A chunk's blocks as `rdf.rendered` takes them: an event's fingerprint becomes its
    Turtle, any other block's text is already its Turtle."""
    return [
        (
            root,
            functools.partial(_event_text, iri, text, events)
            if text.startswith("\0")
            else functools.partial(str, text),
        )
        for root, text in chunk
    ]


def _event_text(iri: Any, marker: str, events: dict[str, tuple[Event, list[Mention]]]) -> str:
    from timeline.export.rdf import event_block

    event, mentions = events[marker.split("\0", 2)[1]]
    return event_block(iri, event, mentions).turtle()
