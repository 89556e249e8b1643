"""A build cache for incremental rebuilds: validated datasets and extracted mentions.

Every entry is keyed by content: the SHA-256 of the dataset's files (names and bytes), the
pipeline that made it, and the code version (the package version plus a hash of its source
files), so editing the data, switching the NER mode or changing the code can never serve a stale
entry. Entries are written atomically with a header (magic, length, SHA-256 of the payload);
an entry that is truncated, corrupted or written by other code fails that check, is deleted and
rebuilt, never trusted. Mentions are cached per event (keyed by the event's id and text), so
after editing one event only that event is extracted again.

The cache holds pickles: it is a private, local folder (``.timeline-cache/`` by default); the
checksum catches corruption, not tampering, so do not share a cache folder with people you do
not trust.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeline import __version__
from timeline.atomic import atomic_write
from timeline.graph import Mention
from timeline.models import Dataset

DEFAULT_DIR = Path(".timeline-cache")
_MAGIC = b"timeline-cache\x01"
_HEADER = len(_MAGIC) + 8 + 32
Progress = Callable[[str], None]


def _quiet(stage: str) -> None:
    pass


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The package version plus a hash of every source file of the package."""
    h = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    for f in sorted(root.rglob("*")):
        if f.suffix in (".py", ".rq") and f.is_file():
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]}"


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


class Cache:
    """A folder of checksummed entries; `get` returns None for a missing or damaged entry."""

    def __init__(self, folder: str | Path = DEFAULT_DIR) -> None:
        self.folder = Path(folder)
        self.stats = Stats()

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key[:40]}.pickle"

    def get(self, kind: str, key: str) -> Any:
        path = self._path(kind, key)
        try:
            blob = path.read_bytes()
        except OSError:
            self.stats.misses.append(kind)
            return None
        payload = blob[_HEADER:]
        ok = (
            blob[: len(_MAGIC)] == _MAGIC
            and int.from_bytes(blob[len(_MAGIC): len(_MAGIC) + 8], "big") == len(payload)
            and blob[len(_MAGIC) + 8: _HEADER] == hashlib.sha256(payload).digest()
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

    def put(self, kind: str, key: str, value: Any) -> None:
        payload = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        blob = _MAGIC + len(payload).to_bytes(8, "big") + hashlib.sha256(payload).digest()
        atomic_write(self._path(kind, key), blob + payload)


def dataset_key(files: Iterable[tuple[str, bytes]]) -> str:
    """The key of a dataset: its files' names and bytes, and the code version."""
    parts: list[bytes | str] = [code_version()]
    for name, data in files:
        parts += [name, hashlib.sha256(data).digest()]
    return digest(*parts)


def load_dataset(path: str | Path, cache: Cache, progress: Progress = _quiet) -> Dataset:
    """`read_dataset`, served from the cache when no file of the dataset changed."""
    from timeline.load import dataset_files, read_files

    files = dataset_files(path)  # hashed and validated from the same bytes
    key = dataset_key(files)
    found = cache.get("dataset", key)
    if isinstance(found, Dataset):
        progress("load and validate (cached)")
        return found
    dataset = read_files(files)
    cache.put("dataset", key, dataset)
    return dataset


def _gazetteer_key(dataset: Dataset, mode: str) -> str:
    """Mentions depend on the curated names (the gazetteer) and on the NER pipeline."""
    import spacy

    from timeline.extract import installed_model

    names = [(a.id, a.kind, *a.names) for a in sorted(dataset.actors, key=lambda a: a.id)]
    model = installed_model() if mode == "model" else ""
    return digest(code_version(), mode, spacy.__version__, model or "", repr(names))


def extract_mentions(dataset: Dataset, ner: str, cache: Cache, progress: Progress = _quiet
                     ) -> tuple[list[Mention], str]:
    """`link.extract_mentions`, extracting only the events whose text or context changed."""
    from timeline.extract import resolve_mode
    from timeline.link import extract_mentions as extract_all

    mode = resolve_mode(ner)
    gkey = _gazetteer_key(dataset, mode)
    stored = cache.get("mentions", gkey)
    known: dict[str, list[Mention]] = {}
    pipeline = ""
    if isinstance(stored, tuple) and len(stored) == 2:
        pipeline, known = stored
    # An event's mentions depend on its text and (for ambiguous names) on its participants.
    keys = {e.id: digest(e.id, e.text, *sorted({p.actor for p in e.participants}
                                               | set(e.places)))
            for e in dataset.events}
    todo = [e for e in dataset.events if keys[e.id] not in known]
    cache.stats.reused = len(dataset.events) - len(todo)
    cache.stats.extracted = len(todo)
    if todo or not pipeline:
        partial = dataset.model_copy(update={"events": todo})
        found, pipeline = extract_all(partial, ner, progress)
        by_event: dict[str, list[Mention]] = {e.id: [] for e in todo}
        for m in found:
            by_event[m.event].append(m)
        for e in todo:
            known[keys[e.id]] = by_event[e.id]
    live = {keys[e.id]: known[keys[e.id]] for e in dataset.events}
    if todo or len(live) != len(known):
        cache.put("mentions", gkey, (pipeline, live))
    mentions = [m for e in dataset.events for m in live[keys[e.id]]]
    return mentions, pipeline
