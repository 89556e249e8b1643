"""Incremental rebuilds by patching the previous outputs in place of building them again.

A cached build (`timeline build --cache`) leaves a record in the cache: the content hash of every
file of the dataset, where each event's block lies in ``graph.ttl`` and each piece of
``view.html`` (its events' entries, its other data, the network), what a grouped view's
aggregates are made from (each event's place in date order, type, participants), and a checksum
of both files. When the next build finds that only some events changed (at most a few files),
those events are validated, their references checked against the record, extracted, and their
new Turtle block and view entry spliced into copies of the previous outputs:

- an edit of an event's own text (title, summary, quotes, date note, status), or of its date
  when it stays between the same two events in date order (and, in a grouped view, in the
  same month), changes its block and its entry, written where the old ones lie;
- an edit of its type, participants, places, sources, or a date that moves it, also changes
  what the view's aggregates hold: in a grouped view (over 1,500 actors and events, where a
  full build takes long) the entry goes where it now belongs, and the actors' event lists,
  the groups and the network are made again from the record by the code that made them, the
  other entries copied as they lie. A small view draws every event, and is built in full.

An event whose text, participants and places are unchanged keeps the mentions its previous
block states (read back, and checked by rendering the block again), so such a rebuild never
starts spaCy. The result is byte-identical to a full build; the tests hold the two side by
side for every kind of edit.

Anything else takes the full (cached) path: an event removed or moved to another file;
an edited link (part_of, follows, caused_by), quote speaker, or a date stated relative to
another event or that other events are dated relative to; an edited actor, source, claim or
relation; a reference to an id the record does not know, or a place that is not one (the full
path reports it); a grouped view whose grouping changes (another period); a different output
folder, base IRI, NER mode or code version; previous outputs that are missing or changed since
(checked by size and time first, and by checksum while they are copied: a copy that does not
match is thrown away, never written over the outputs).
"""

from __future__ import annotations

import json
import mmap
import os
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timeline.export.html import Piece, ViewLayout
from timeline.graph import Build, Mention
from timeline.models import PLACE_KINDS, Actor, Event
from timeline.progress import Progress, quiet

if TYPE_CHECKING:
    from timeline.cache import Cache
    from timeline.dates import PartialDate

RECORD = ("last", "build")  # the cache entry (kind, key) of the last build's record
TURTLE, VIEW = "graph.ttl", "view.html"
# Event fields whose edits stay in the event's own Turtle block and view entry. Anything else
# (types, participants, places, sources, links) reaches other parts of the outputs; so does a
# date, unless the event keeps its place in date order (checked in `_remade`).
OWN_FIELDS = frozenset({"title", "summary", "quotes", "date_note", "status"})
# Keys of a view entry those fields make (the rest must come out as they were).
OWN_KEYS = frozenset({"title", "summary", "quotes", "dateNote", "status"})
# Event fields whose edits reach other parts of a grouped view (actors' events, groups, the
# network), which is then laid out again (`timeline.export.html.relaid`).
STRUCTURE = frozenset({"type", "participants", "places", "sources"})
# Keys of a view entry an event's date makes.
DATE_KEYS = frozenset({"date", "label", "precision", "approximate", "asStated", "earliest",
                       "latest"})
MAX_CHANGED_FILES = 8  # past this many edited files a full cached build is about as quick


@dataclass
class Output:
    size: int
    crc: int
    mtime_ns: int = 0


@dataclass
class Record:
    """What the last cached build wrote, and what a patch needs to make one event again."""

    context: str  # code version, base IRI, NER pipeline and gazetteer
    files: list[tuple[str, str, str]]  # (name, SHA-256 of its bytes, key of its FilePart)
    outputs: dict[str, Output]
    turtle_index: dict[str, tuple[int, int]]  # event IRI -> (offset, length) in graph.ttl
    view: ViewLayout  # where the view's pieces lie, and (grouped views) what lays it out
    base: str  # the base IRI the Turtle was made with
    pipeline: str
    actors: list[Actor]  # the gazetteer, and the view's actor indexes and names
    sources: list[str]  # source ids in order (the view's source indexes)
    relative: dict[str, PartialDate]  # resolved dates of events dated relative to another
    anchors: set[str]  # ids of the events that other events are dated relative to
    acronyms: frozenset[str]  # the acronyms of the whole gazetteer (they fold every text)
    mentions: dict[str, tuple[int, int]]  # event id -> (mentions, linked mentions)
    summary: str
    title: str  # the dataset's title (the page's)


@dataclass
class Patched:
    """What a patch did (the CLI reports it)."""

    summary: str
    pipeline: str
    mentions: int
    linked: int
    events: list[str] = field(default_factory=list)  # ids of the events made again
    added: list[str] = field(default_factory=list)  # ids of the events added
    files: int = 0  # files that changed
    of_files: int = 0  # files of the dataset
    outputs: list[Path] = field(default_factory=list)


class _Stale(Exception):
    """A previous output does not match its record: it cannot be patched."""


def context_key(base: str | None, gazetteer: str) -> str:
    """What else the outputs depend on. Not where they are, nor where the data is: the files'
    names and bytes are compared one by one, and the outputs checked by size and checksum,
    so a copy of both (say, in another checkout) is patched as well as the originals."""
    from importlib.metadata import version

    from timeline.cache import code_version, digest

    # pyvis's bundled vis-network is inlined in the view (its hash in the page's CSP)
    return digest(code_version(), version("pyvis"), base or "", gazetteer)


def gazetteer_key(actors: list[Actor], ner: str) -> str:
    """What the mentions depend on besides an event's own text: the NER mode and pipeline and
    the curated names ("none" when nothing is extracted)."""
    if ner == "none":
        return "none"
    from timeline.cache import _gazetteer_key
    from timeline.models import Dataset
    from timeline.ner import resolve_mode

    return _gazetteer_key(Dataset.model_construct(actors=actors), resolve_mode(ner))


def make_record(build: Build, path: str | Path, out_dir: str | Path, base: str | None,
                ner: str, cache: Cache, view: ViewLayout, outputs: dict[str, Output]) -> Record:
    """The record of a cached build just written (see `timeline.pipeline.build`)."""
    from timeline.export.rdf import NtIris

    ds = build.dataset
    counts: dict[str, list[int]] = {e.id: [0, 0] for e in ds.events}
    for m in build.mentions:
        c = counts.get(m.event)
        if c is not None:
            c[0] += 1
            c[1] += m.actor is not None
    return Record(
        context=context_key(base, gazetteer_key(ds.actors, ner)),
        files=list(cache.file_keys),
        outputs=outputs,
        turtle_index=cache.turtle_index,
        view=view,
        base=NtIris(base or ds.dataset.base).base,
        pipeline=build.pipeline,
        actors=list(ds.actors),
        sources=[s.id for s in ds.sources],
        relative={e.id: e.when for e in ds.events if e.id in cache.relative},
        anchors={e.when.relative_to for e in ds.events
                 if e.id in cache.relative and e.when.relative_to},
        acronyms=_acronyms(ds.actors) if ner != "none" else frozenset(),
        mentions={k: (a, b) for k, (a, b) in counts.items()},
        summary=ds.summary(),
        title=ds.dataset.title,
    )


def _acronyms(actors: list[Actor]) -> frozenset[str]:
    from timeline.extract import Gazetteer  # spaCy is loaded: the build just extracted

    return Gazetteer.from_actors(actors).acronyms


def output_of(path: Path, size: int, crc: int) -> Output:
    return Output(size, crc, os.stat(path).st_mtime_ns)


def try_patch(path: str | Path, out_dir: str | Path, base: str | None, ner: str,
              cache: Cache, progress: Progress = quiet) -> Patched | None:
    """Patch the previous outputs for the events that changed; None when the full build must
    run (see the module's documentation). Writes nothing unless it succeeds."""
    if str(path) == "-":
        return None
    record = cache.get(*RECORD)
    if not isinstance(record, Record):
        return None
    out = Path(out_dir)
    for name, o in record.outputs.items():  # quick checks before reading anything big
        try:
            st = os.stat(out / name)
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns) != (o.size, o.mtime_ns):
            return None
    if record.context != context_key(base, gazetteer_key(record.actors, ner)):
        return None
    from timeline.load import dataset_files

    files = dataset_files(path)
    if [name for name, _ in files] != [name for name, _, _ in record.files]:
        return None
    edits = _edited_events(files, record, cache, progress)
    if edits is None:
        return None
    changed_files, events, new_keys = edits
    if not changed_files:  # check that the outputs are still those of the record, and keep them
        if not all(_checked(out / name, o) for name, o in record.outputs.items()):
            return None
        return Patched(record.summary, record.pipeline, *_totals(record), of_files=len(files),
                       outputs=sorted(out / name for name in record.outputs))
    made = _remade(events, record, ner, out, progress)
    if made is None:
        return None
    turtle_blocks, view_pieces, view, counts = made
    turtle_pieces, turtle_index = _turtle_plan(record.turtle_index, turtle_blocks)
    progress(f"patch the outputs ({len(events)} events)")
    try:
        written = _write(out, record, turtle_pieces, view_pieces)
    except _Stale:
        return None
    # The new record: the same build with these events' new pieces.
    for name, key in new_keys.items():
        i = next(i for i, (n, _, _) in enumerate(record.files) if n == name)
        old_key = record.files[i][2]
        record.files[i] = (name, key[0], key[1])
        if old_key != key[1]:
            cache.drop("file", old_key)
    record.turtle_index = turtle_index
    record.view = view
    record.outputs = written
    record.mentions.update(counts)
    added = sum(was is None for was, _ in events)
    if added:  # "N events, ..." as `Dataset.summary` says it
        n, rest = record.summary.split(" events, ", 1)
        record.summary = f"{int(n) + added} events, {rest}"
    cache.put(*RECORD, record)
    cache.flush()
    return Patched(record.summary, record.pipeline, *_totals(record),
                   events=[now.id for was, now in events if was is not None], files=changed_files,
                   of_files=len(files), outputs=sorted(out / name for name in written),
                   added=[now.id for was, now in events if was is None])


def _totals(record: Record) -> tuple[int, int]:
    return (sum(n for n, _ in record.mentions.values()),
            sum(n for _, n in record.mentions.values()))


def _checked(path: Path, was: Output) -> bool:
    """Whether a file still holds what the record says (by CRC-32)."""
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return len(mm) == was.size and zlib.crc32(mm) == was.crc
    except (OSError, ValueError):
        return False


def _edited_events(files: list[tuple[str, bytes]], record: Record, cache: Cache,
                   progress: Progress
                   ) -> tuple[int, list[tuple[Event | None, Event]], dict[str, tuple[str, str]]
                              ] | None:
    """The events edited in fields a patch takes, as they were and are (`None` as they were
    for an event added), with the new files' cache keys; None if anything else changed."""
    import hashlib

    from timeline.cache import code_version, digest
    from timeline.dates import PartialDate
    from timeline.load import FilePart, validate_file

    changed: list[tuple[str, bytes, str, str]] = []
    for (name, data), (_, sha, key) in zip(files, record.files, strict=True):
        new_sha = hashlib.sha256(data).hexdigest()
        if new_sha != sha:
            changed.append((name, data, new_sha, key))
    if len(changed) > MAX_CHANGED_FILES:
        return None
    progress(f"load and validate: {len(changed)} of {len(files)} files changed")
    events: list[tuple[Event | None, Event]] = []
    keys: dict[str, tuple[str, str]] = {}
    declared: dict[str, set[str]] = {}
    places = {a.id for a in record.actors if a.kind in PLACE_KINDS}
    for name, data, sha, old_key in changed:
        old = cache.get("file", old_key)
        new = validate_file(name, data)
        if not isinstance(old, FilePart) or new is None:
            return None  # a problem in the file: the full path reports it, where it is
        if (old.has_info, old.info) != (new.has_info, new.info):
            return None
        if old.refs != new.refs:
            declared = declared or _declared(record)
            if not all(ref in declared.get(kind, ()) for _, kind, ref in new.refs):
                return None  # an id nothing declares: the full path reports it
        # Other sections item by item; events by id, since one may have been added anywhere
        # in the file (the outputs order events by date and IRI, never as they are written).
        others = [(section, index, raw, model) for section, index, model, raw in old.items
                  if section != "events"]
        if others != [(section, index, raw, model) for section, index, model, raw in new.items
                      if section != "events"]:
            return None
        before = {raw: was for section, _, was, raw in old.items if section == "events"}
        if len(before) != len(old.items) - len(others):
            return None
        seen = 0
        for section, _, now, raw in new.items:
            if section != "events":
                continue
            was = before.get(raw)
            if was is None:  # added
                if not isinstance(now.date, PartialDate):
                    return None  # (a relative date would need its anchor's)
                declared = declared or _declared(record)
                if now.id in declared["events"] or not all(a in places for a in now.places):
                    return None  # a duplicate id, or not a place: the full path reports it
                events.append((None, now))
                continue
            seen += 1
            if was == now:
                continue
            differ = {f for f in type(was).model_fields if getattr(was, f) != getattr(now, f)}
            if "date" in differ:  # `_remade` checks that the event keeps its place
                if not (isinstance(was.date, PartialDate) and isinstance(now.date, PartialDate)) \
                        or was.id in record.anchors:
                    return None
                differ.discard("date")
            if not differ <= OWN_FIELDS | STRUCTURE:
                return None
            if [q.speaker for q in was.quotes] != [q.speaker for q in now.quotes]:
                return None
            if "places" in differ and not all(a in places for a in now.places):
                return None  # not a place: the full path says so
            events.append((was, now))
        if seen != len(before) or len({now.id for _, now in events}) != len(events):
            return None  # an item removed, or one id added twice
        new_key = digest(code_version(), "file", name, bytes.fromhex(sha))
        cache.put("file", new_key, new)
        keys[name] = (sha, new_key)
    return len(changed), events, keys


def _declared(record: Record) -> dict[str, set[str]]:
    """The ids the last build declared, by kind (the edits a patch takes declare none)."""
    return {"actors": {a.id for a in record.actors}, "sources": set(record.sources),
            "events": set(record.view.events)}


def _remade(events: list[tuple[Event | None, Event]], record: Record, ner: str, out: Path,
            progress: Progress
            ) -> tuple[dict[str, bytes], list[Piece], ViewLayout, dict[str, tuple[int, int]]
                       ] | None:
    """The new Turtle blocks (by event IRI) of the edited and added events, the pieces of the
    view that change and its new layout, and the events' mention counts; None if an edit
    reaches further than a patch goes.

    An event whose text is as it was keeps its mentions: they are read back from its previous
    Turtle block, which must come out of them again byte for byte (else it is extracted)."""
    from timeline.dates import PartialDate
    from timeline.export.html import event_entry, in_place, participant_roles, relaid
    from timeline.export.rdf import NtIris, event_block, turtle_chunk

    def resolved(e: Event) -> Event | None:
        if isinstance(e.date, PartialDate):
            return e
        date = record.relative.get(e.id)
        return None if date is None else e.model_copy(update={"date": date})

    iri = NtIris(record.base)
    view_path = out / VIEW
    pairs: list[tuple[Event | None, Event]] = []
    for was, now in events:
        a = None if was is None else resolved(was)
        b = resolved(now)
        if b is None or (was is not None and a is None):
            return None
        pairs.append((a, b))
    mentions: dict[str, list[Mention]] = {}
    if ner != "none":
        for was, now in pairs:
            if was is not None and (was.text, was.participants, was.places) == \
                    (now.text, now.participants, now.places):  # what linking reads
                kept = _kept_mentions(out / TURTLE, record, iri, was)
                if kept is not None:
                    mentions[now.id] = kept
    todo = [now for _, now in pairs if now.id not in mentions]
    for e in todo:
        mentions[e.id] = []
    if ner != "none" and todo:
        from timeline.extract import gazetteer_for
        from timeline.link import extract_mentions
        from timeline.models import Dataset
        from timeline.ner import resolve_mode

        gazetteer = None
        if resolve_mode(ner) == "gazetteer":  # the few these texts name (a model reads more)
            gazetteer = gazetteer_for(record.actors, (e.text for e in todo), record.acronyms)
        part = Dataset.model_construct(actors=record.actors, events=todo)
        found, pipeline = extract_mentions(part, ner, progress, jobs=1, gazetteer=gazetteer)
        if pipeline != record.pipeline:
            return None
        for m in found:
            mentions[m.event].append(m)
    resolved_events = [now for _, now in pairs]
    actor_index = {a.id: i for i, a in enumerate(record.actors)}
    source_index = {s: i for i, s in enumerate(record.sources)}
    speakers = {a.id: a.name for a in record.actors}
    turtle: dict[str, bytes] = {}
    counts: dict[str, tuple[int, int]] = {}
    entries: dict[str, dict[str, Any]] = {}  # the new entries
    dated: list[str] = []  # events whose date changed
    stays = True  # every entry keeps its place, group and aggregates
    for (was, _), e in zip(pairs, resolved_events, strict=True):
        root = iri.event(e.id)
        if (root in record.turtle_index, e.id in record.view.events) != (was is not None,) * 2:
            return None
        ms = mentions[e.id]
        turtle[root] = turtle_chunk([(root, event_block(iri, e, ms).turtle())])
        counts[e.id] = (len(ms), sum(m.actor is not None for m in ms))
        named = dict.fromkeys(m.actor for m in ms if m.actor is not None)
        roles = participant_roles(e, named, actor_index)
        if was is None:  # added: no claim can be about it yet
            entries[e.id] = event_entry(e, roles, source_index, [], False, speakers)
            stays = False
            continue
        old = _old_entry(view_path, *record.view.events[e.id])
        if old is None or not {"claims", "disputed", "node"} <= set(old):
            return None  # not an entry of ours
        entry = event_entry(e, roles, source_index, old["claims"], old["disputed"], speakers)
        if set(entry) != set(old):
            return None
        entry["node"] = old["node"]  # a grouped view's group (`relaid` sets it if it moves)
        own = OWN_KEYS
        if any(entry[k] != old[k] for k in DATE_KEYS):
            own = OWN_KEYS | DATE_KEYS
            dated.append(e.id)
            if record.view.aggregated and entry["earliest"][:7] != old["earliest"][:7]:
                stays = False  # another month: the view's groups of events change
        if any(entry[k] != old[k] for k in entry if k not in own):
            stays = False  # participants (curated or named by the text), type or sources
        if not record.view.aggregated and entry["title"] != old["title"]:
            return None  # the network draws each event with its title
        entries[e.id] = entry
    before, after = _totals(record)[0], sum(n for n, _ in counts.values()) + sum(
        n for k, (n, _) in record.mentions.items() if k not in counts)
    if (before > 0) != (after > 0):
        return None  # the graph states the extraction only when it found something
    if stays and dated and not _keeps_order(dated, entries, record.view.events, view_path):
        stays = False
    if stays:
        pieces, layout = in_place(record.view, entries)
    elif record.view.light is not None:  # a grouped view: laid out again
        relaid_view = relaid(record.view, record.title, record.outputs[VIEW].size, entries)
        if relaid_view is None:
            return None
        pieces, layout = relaid_view
    else:  # a small view draws every event: a full build is about as quick
        return None
    return turtle, pieces, layout, counts


def _kept_mentions(turtle: Path, record: Record, iri: Any, event: Event
                   ) -> list[Mention] | None:
    """The mentions of an event whose text did not change, read back from its previous Turtle
    block; None unless that block comes out of them again, byte for byte."""
    from timeline.export.rdf import event_block, mentions_in_turtle, turtle_chunk

    root = iri.event(event.id)
    where = record.turtle_index.get(root)
    if where is None:
        return None
    offset, length = where
    try:
        with open(turtle, "rb") as fh:
            fh.seek(offset)
            block = fh.read(length).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = mentions_in_turtle(iri, event.id, block, event.text)
    again = turtle_chunk([(root, event_block(iri, event, found).turtle())])
    return found if again == block.encode("utf-8") else None


def _order_key(entry: dict[str, Any]) -> tuple[str, int, str, str, str] | None:
    """A view entry's place in date order; None if the entry is not one of ours."""
    from timeline.export.html import order_key

    try:
        key = order_key(entry)
    except (KeyError, TypeError):
        return None
    texts = (key[0], key[2], key[3], key[4])
    return key if all(isinstance(t, str) for t in texts) else None


def _keeps_order(dated: list[str], entries: dict[str, dict[str, Any]],
                 view_index: dict[str, tuple[int, int]], view_path: Path) -> bool:
    """Whether the events whose date changed still sort between the same neighbours (a list
    is in order when every neighbouring pair is, and only pairs next to these changed)."""
    order = sorted(view_index, key=lambda k: view_index[k][0])  # the view's (date) order
    at = {k: i for i, k in enumerate(order)}

    def key(i: int) -> tuple[str, int, str, str, str] | None:
        entry = entries.get(order[i]) or _old_entry(view_path, *view_index[order[i]])
        return None if entry is None else _order_key(entry)

    for event in dated:
        i = at[event]
        here = key(i)
        for j, k in ((i - 1, i), (i, i + 1)):
            if 0 <= j and k < len(order):
                a, b = (here if j == i else key(j)), (here if k == i else key(k))
                if a is None or b is None or not a < b:
                    return False
    return True


def _old_entry(path: Path, offset: int, length: int) -> dict[str, Any] | None:
    """An event's entry as the previous view holds it (read, not trusted: `_write` checks the
    whole file's checksum before a patched copy replaces it)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        try:
            value = json.loads(fh.read(length))
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _write(out: Path, record: Record, turtle: list[Piece], view: list[Piece]
           ) -> dict[str, Output]:
    """Write both outputs, each a copy of the previous one with the new pieces in place of
    the old, checking the previous one's checksum on the way; raises `_Stale` (having written
    nothing) if it does not match."""
    from timeline.atomic import atomic_write_many

    plans = {TURTLE: turtle, VIEW: view}
    made: dict[str, Output] = {}
    targets = {out / name: _Splice(out / name, pieces, record.outputs[name], made, name)
               for name, pieces in plans.items()}
    try:
        atomic_write_many(targets)
    except _Stale:
        raise
    except (OSError, ValueError):  # gone or emptied since the quick check
        raise _Stale from None
    return {name: output_of(out / name, o.size, o.crc) for name, o in made.items()}


class _Splice:
    """Writes a copy of a previous output with some byte ranges replaced: the rest is copied
    by the kernel (`os.copy_file_range`: no pass through Python, 0.7 s for 1 GB with its
    flush to disk here), while a thread takes the CRC-32 of every range of the old file (zlib
    lets go of the interpreter lock). The old file's CRC, combined from those, must match the
    record, or `_Stale` is raised before anything replaces an output; the new file's CRC is
    combined from the same ranges' and the new pieces'."""

    def __init__(self, path: Path, pieces: list[tuple[tuple[int, int], bytes]], was: Output,
                 made: dict[str, Output], name: str) -> None:
        self.path, self.pieces, self.was, self.made, self.name = path, pieces, was, made, name

    def __call__(self, fd: int) -> None:
        with open(self.path, "rb") as src:
            size = os.fstat(src.fileno()).st_size
            if size != self.was.size:
                raise _Stale
            # (offset, length) of each copied range and each replaced one, in file order
            ranges: list[tuple[int, int, bytes | None]] = []
            at = 0
            for (off, n), new in self.pieces:
                ranges += [(at, off - at, None), (off, n, new)]
                at = off + n
            ranges.append((at, size - at, None))
            crcs: list[int] = []
            checker = threading.Thread(target=_crcs, args=(src.fileno(), ranges, crcs),
                                       daemon=True)
            checker.start()
            try:
                for off, n, piece in ranges:
                    if piece is None:
                        _copy(src.fileno(), fd, off, n)
                    else:
                        _write_all(fd, piece)
            finally:
                checker.join()
        if len(crcs) != len(ranges):
            raise _Stale  # the file could not be read to the end
        old = new_crc = new_size = 0
        for (_, n, piece), crc in zip(ranges, crcs, strict=True):
            old = crc32_combine(old, crc, n)
            if piece is None:
                new_crc, new_size = crc32_combine(new_crc, crc, n), new_size + n
            else:
                new_crc, new_size = zlib.crc32(piece, new_crc), new_size + len(piece)
        if old != self.was.crc:
            raise _Stale
        self.made[self.name] = Output(new_size, new_crc)


def _crcs(fd: int, ranges: list[tuple[int, int, bytes | None]], out: list[int]) -> None:
    """The CRC-32 of each (offset, length) range of a file, read through a map of it."""
    try:
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mm, memoryview(mm) as whole:
            for off, n, _ in ranges:
                with whole[off:off + n] as part:
                    out.append(zlib.crc32(part))
    except (OSError, ValueError):
        out.clear()


def _copy(src: int, dst: int, offset: int, count: int) -> None:
    """Copy `count` bytes of `src` from `offset` to `dst`'s position, in the kernel if it can."""
    end = offset + count
    try:
        while offset < end:
            done = os.copy_file_range(src, dst, end - offset, offset)
            if done == 0:
                raise _Stale  # the file is shorter than it was
            offset += done
    except OSError:  # no copy_file_range between these files: through a buffer
        while offset < end:
            chunk = os.pread(src, min(end - offset, 1 << 24), offset)
            if not chunk:
                raise _Stale from None
            _write_all(dst, chunk)
            offset += len(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from CRC(A), CRC(B) and len(B) (zlib's crc32_combine, which Python's
    zlib module does not offer): CRC(A) is moved past len(B) zero bytes by squaring the
    operator of one zero bit over GF(2)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _gf2_times(mat: list[int], vec: int) -> int:
    total, i = 0, 0
    while vec:
        if vec & 1:
            total ^= mat[i]
        vec >>= 1
        i += 1
    return total


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, row) for row in mat]


def _turtle_plan(index: dict[str, tuple[int, int]], blocks: dict[str, bytes]
                 ) -> tuple[list[Piece], dict[str, tuple[int, int]]]:
    """The pieces of the Turtle for new event blocks (by IRI), and the new index of blocks: an
    edited event's block where the old one lies, an added one before the event block that
    follows it in IRI order (after the last one when none does: what follows the events' blocks
    sorts after them all)."""
    import bisect

    from timeline.export.html import movers

    roots = sorted(index)
    slots: dict[int, tuple[list[tuple[str, bytes]], list[tuple[str, int, bytes]]]] = {}
    for root, data in sorted(blocks.items()):
        if root in index:
            off, n = index[root]
            slots.setdefault(off, ([], []))[1].append((root, n, data))
        else:
            i = bisect.bisect_left(roots, root)
            off = index[roots[i]][0] if i < len(roots) else sum(index[roots[-1]])
            slots.setdefault(off, ([], []))[0].append((root, data))
    pieces: list[Piece] = []
    inside: dict[str, tuple[int, int, int]] = {}  # new block -> (slot, offset in it, length)
    for off, (inserted, replaced) in sorted(slots.items()):
        text = b""
        for root, data in inserted + [(root, data) for root, _, data in replaced]:
            inside[root] = (off, len(text), len(data))
            text += data
        pieces.append(((off, replaced[0][1] if replaced else 0), text))
    moved, begins = movers(pieces)
    new = {root: (moved(off), n) for root, (off, n) in index.items() if root not in inside}
    for root, (off, at, n) in inside.items():
        new[root] = (begins(off) + at, n)
    return pieces, dict(sorted(new.items()))
