"""YAML -> validated `Dataset`, collecting every problem with its file, line and column.

Loading is safe by construction: libyaml composes a node tree, and this module turns nodes into
plain values itself, so no tag can construct an object. Anchors and aliases of lists and mappings
are refused (they are how "billion laughs" bombs work), duplicate keys are errors, and every
problem is reported at once, mapped back to the place in the file where a person can fix it.
"""

from __future__ import annotations

import difflib
import functools
import gc
import heapq
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from timeline.dates import PartialDate, shown
from timeline.errors import InvalidDataset, Problem
from timeline.models import (
    BUILTIN_TYPES,
    MAX_MEDIA_BYTES,
    TOP_LEVEL,
    Dataset,
    DatasetInfo,
    Event,
    Relation,
    unit_warning,
)
from timeline.names import did_you_mean, fold

MAX_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64
_TOO_BIG = f"file is larger than {MAX_BYTES // 2**20} MiB; split it into a folder of files"
YAML_SUFFIXES = (".yaml", ".yml")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.constructor.SafeConstructor()
_T = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _T + "str", _T + "seq", _T + "map", _T + "merge"
_Scalar = yaml.ScalarNode
SINGULAR = {
    "sources": "source",
    "actors": "actor",
    "events": "event",
    "claims": "claim",
    "relations": "relation",
}


def read_dataset(path: str | Path) -> Dataset:
    """Load, validate and cross-check a YAML file, a folder of YAML files, or ``-`` (stdin).

    Raises `InvalidDataset` listing every problem found, each with file:line:column.
    """
    return read_files(_dataset_files(path))


def dataset_files(path: str | Path) -> list[tuple[str, bytes]]:
    """The (name, bytes) of every file of a dataset, in load order (the cache keys on them)."""
    return _dataset_files(path)


MediaLocator = Callable[[str, str], Path]
"""Where a media file named in a YAML file is: (YAML file's name, file as written) -> path."""


def beside(yaml_file: str, media_file: str) -> Path:
    """A media file's place: relative to the YAML file that names it (stdin: the working
    folder)."""
    folder = Path.cwd() if yaml_file == "<stdin>" else Path(yaml_file).parent
    return folder / media_file


def read_files(files: list[tuple[str, bytes]], locate: MediaLocator = beside) -> Dataset:
    """`read_dataset` over files already read by `dataset_files`; `locate` finds the local
    media files (a build folder keeps copies of them)."""
    docs: list[_Document] = []
    problems: list[Problem] = []
    with gc_paused():
        for name, data in files:
            doc = _parse(name, data, problems)
            if doc is not None:
                docs.append(doc)
        doc = None
        dataset = _validate(docs, problems, locate)
        # Free the node trees (millions of objects) while the collector is still paused: its
        # first pass after the pause would otherwise walk every one of them.
        docs.clear()
    if problems:
        raise InvalidDataset(problems)
    return dataset


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a stage allocates millions of objects.

    Loading makes a node tree, plain values and models, and frees none of them in cycles; with
    the collector running, its repeated full passes over the growing heap made loading 100k
    events 3-4x slower (bench/run.py). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                # What the stage made is long-lived (a dataset): move it straight to the oldest
                # generation (unfreeze puts the frozen objects there) rather than have the
                # collector's next young pass walk every object, about a tenth of loading time.
                # Garbage cycles among them are still found by the next full collection.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Set the objects that exist now aside from the garbage collector until the block ends.

    Extraction and linking make a million small objects at 100k events, and each of the
    collector's full collections walked the whole dataset again (18% of extract+link at 10k
    events); so did the writing of a build's outputs. Frozen objects are not freed while
    frozen; after the block they are collected as usual. Does nothing when objects are frozen
    already (by the caller or an enclosing block).
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _dataset_files(path: str | Path) -> list[tuple[str, bytes]]:
    if str(path) == "-":
        return [("<stdin>", sys.stdin.buffer.read(MAX_BYTES + 1))]
    p = Path(path)
    if p.is_dir():
        found = sorted(f for f in p.rglob("*") if f.suffix in YAML_SUFFIXES and f.is_file())
        if not found:
            raise InvalidDataset([Problem(str(p), 1, 1, "folder holds no .yaml or .yml file")])
        return [(str(f), _read(f)) for f in found]
    return [(str(p), _read(p))]


def _read(p: Path) -> bytes:
    try:
        with p.open("rb") as fh:
            # Refuse a huge file before reading it, not after holding it all in memory.
            if os.fstat(fh.fileno()).st_size > MAX_BYTES:
                raise InvalidDataset([Problem(str(p), 1, 1, _TOO_BIG)])
            return fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InvalidDataset([Problem(str(p), 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise InvalidDataset([Problem(str(p), 1, 1, "is a folder, not a file")]) from None
    except OSError as exc:
        raise InvalidDataset([Problem(str(p), 1, 1, f"cannot read: {exc.strerror}")]) from None


# --- parsing: bytes -> node tree -> plain values -------------------------------------------


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with the tag of each node resolved in one quick call.

    The parser asks Python for the tag of every node, and around each node tells the resolver
    where it is, which only path resolvers (none on the safe loader) need. Resolving the same
    way with the table looked up once makes composing a large file about a tenth faster.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        table = self.yaml_implicit_resolvers
        anywhere = table.get(None, [])
        self._by_first = {
            first: tuple(found + anywhere) for first, found in table.items() if first is not None
        }
        self._anywhere = tuple(anywhere)
        # Plain methods below, never bound methods stored on the instance: those would make
        # the loader a reference cycle, keeping libyaml's copy of the whole file alive until
        # the collector runs (which the loading pause holds off).
        self._fast = not self.yaml_path_resolvers

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if not self._fast:
            return str(super().resolve(kind, value, implicit))
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._by_first.get(value[:1], self._anywhere):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        if not self._fast:
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        if not self._fast:
            super().ascend_resolver()


@dataclass
class _Document:
    file: str
    root: yaml.Node
    data: dict[str, Any]

    def locate(self, path: Iterable[Any], key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the node at `path`, or of the deepest node found."""
        node: yaml.Node = self.root
        key_node: yaml.Node | None = None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(step):
                        key_node, node = k, v
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if 0 <= step < len(node.value):
                    key_node, node = None, node.value[step]
                else:
                    break
            else:
                break
        target = key_node if key and key_node is not None else node
        return target.start_mark.line + 1, target.start_mark.column + 1


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def _parse(name: str, data: bytes, problems: list[Problem]) -> _Document | None:
    def fail(line: int, column: int, message: str) -> None:
        problems.append(Problem(name, line, column, message))

    if len(data) > MAX_BYTES:
        fail(1, 1, _TOO_BIG)
        return None
    if not data or data.isspace():  # not data.strip(), which copies the file
        fail(
            1, 1, "file is empty; start it with 'events:' (see docs/data-format.md for the format)"
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(
            1, 1, "file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8"
        )
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        fail(
            *_position(data, nul),
            "file contains a NUL byte: is it a binary file? Curated data must be UTF-8 text",
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(
            *_position(data, exc.start),
            f"file is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8",
        )
        return None
    try:
        root = yaml.compose(text, Loader=_Loader)  # noqa: S506 - a safe loader; nodes only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        char = text[mark.index] if mark and 0 <= mark.index < len(text) else ""
        fail(line, col, _yaml_message(exc, char))
        return None
    except yaml.reader.ReaderError as exc:
        # The reader reports a character offset in the text, not a line and column.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        fail(
            line,
            column,
            f"file contains the control character U+{exc.character:04X}, which "
            "YAML does not allow; remove it",
        )
        return None
    except yaml.YAMLError as exc:
        fail(1, 1, f"YAML error: {shown(str(exc), 200)}")
        return None
    except RecursionError:
        fail(1, 1, f"YAML is nested too deeply (more than {MAX_DEPTH} levels)")
        return None
    if root is None:
        fail(
            1,
            1,
            "file holds no data; start it with 'events:' (see docs/data-format.md for the format)",
        )
        return None
    builder = _Builder(name, problems)
    value = builder.build(root)
    if not isinstance(root, yaml.MappingNode):
        fail(
            root.start_mark.line + 1,
            root.start_mark.column + 1,
            "the top level must be a mapping with keys like 'actors:' and 'events:', "
            f"not a {_node_kind(root)}",
        )
        return None
    if not isinstance(value, dict):  # a refused tag on the top-level mapping: reported already
        return None
    return _Document(name, root, value)


def _yaml_message(exc: yaml.MarkedYAMLError, char: str = "") -> str:
    problem = (exc.problem or "invalid YAML").strip()
    if char == "\t" and "cannot start any token" in problem:
        return "a tab indents this line; YAML indents with spaces only: replace the tab with spaces"
    message = f"YAML syntax error: {problem}"
    if exc.context:
        started = exc.context_mark
        # Where an unclosed quote or bracket began is where the fix goes, not where YAML gave up.
        if (
            started
            and exc.problem_mark
            and started.line != exc.problem_mark.line
            and exc.context.startswith("while")
        ):
            message += (
                f" ({exc.context.strip()} that starts at line {started.line + 1}, "
                f"column {started.column + 1})"
            )
        else:
            message += f" ({exc.context.strip()})"
    if "mapping values are not allowed" in problem:
        message += "; put text that contains ': ' in quotes"
    elif "'\\t'" in problem or "tab" in problem:
        message += "; indent with spaces, not tabs"
    elif (
        "found character '@'" in problem
        or "found character '`'" in problem
        or ("cannot start any token" in problem and char in ("@", "`"))
    ):
        message += "; put text that starts with @ or ` in quotes"
    elif "undefined alias" in problem:
        message += "; put text that starts with * in quotes"
    elif "another document" in problem:
        message += "; keep one document per file (a folder of files makes one dataset)"
    elif "expected '-' indicator" in problem:
        message += "; check the indentation of this line against the lines above"
    elif "could not find expected ':'" in problem:
        message += "; every line in a mapping needs 'key: value'"
    elif "expected <block end>" in problem:
        message += "; check the indentation of this line against the lines above"
    return message


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "single value"


class _Refused:
    """Stands in for a value the builder refused (and reported), so that validation does not
    report it a second time as a value of the wrong type."""

    def __repr__(self) -> str:
        return "<refused>"


REFUSED = _Refused()


class _Builder:
    """Turns a node tree into plain dicts, lists, strings and numbers, refusing anything else."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.seen: set[yaml.Node] = set()  # nodes hash by identity
        self.reported: set[yaml.Node] = set()

    def fail(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def build(self, root: yaml.Node) -> Any:
        return self._node(root, 0)

    def _node(self, node: yaml.Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.fail(node, f"nested more than {MAX_DEPTH} levels deep; flatten this value")
            return REFUSED
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if node in self.seen:
            if node not in self.reported:
                self.reported.add(node)
                self.fail(
                    node,
                    "this anchored list or mapping (&name) is reused through an "
                    "alias (*name); aliases of lists and mappings are not supported: "
                    "write the value out in full",
                )
            return REFUSED
        self.seen.add(node)
        tag = node.tag
        if tag != _SEQ and tag != _MAP:
            self.fail(
                node,
                f"unsupported YAML tag '{_short_tag(tag)}'; remove it "
                "(only plain text, numbers, lists and mappings are allowed)",
            )
            return REFUSED
        depth += 1
        # Plain text, most of a file, is read here rather than through a call per value.
        inline = depth <= MAX_DEPTH
        if isinstance(node, yaml.SequenceNode):
            return [
                child.value
                if inline and child.tag == _STR and type(child) is _Scalar
                else self._node(child, depth)
                for child in node.value
            ]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                self.fail(
                    key_node,
                    "keys must be plain names (merge keys '<<' and complex keys are not supported)",
                )
                continue
            key = key_node.value
            if key in result:
                self.fail(
                    key_node, f"duplicate key '{shown(key)}'; each key may appear once in a mapping"
                )
                continue
            if inline and value_node.tag == _STR and type(value_node) is _Scalar:
                result[key] = value_node.value
            else:
                result[key] = self._node(value_node, depth)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR or tag == _T + "timestamp":
            # Dates stay text: the model parses them and keeps their precision.
            return node.value
        try:
            if tag == _T + "int":
                return _SCALARS.construct_yaml_int(node)
            if tag == _T + "float":
                return _SCALARS.construct_yaml_float(node)
        except ValueError:
            # Python refuses to convert integers of more than 4300 digits (CVE-2020-10735).
            self.fail(
                node,
                f"number has {len(node.value)} digits, too many to read; put it "
                "in quotes if it is text",
            )
            return REFUSED
        if tag == _T + "bool":
            return _SCALARS.construct_yaml_bool(node)
        if tag == _T + "null":
            return None
        self.fail(
            node,
            f"unsupported YAML tag '{_short_tag(tag)}'; remove it "
            "(only plain text, numbers, lists and mappings are allowed)",
        )
        return REFUSED


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_T) :] if tag.startswith(_T) else tag


# --- validation: plain values -> models, every error mapped to its place ---------------------


@dataclass
class _Item:
    section: str
    index: int
    doc: _Document
    model: Any

    def where(self, *path: Any, key: bool = False) -> tuple[str, int, int]:
        line, col = self.doc.locate((self.section, self.index, *path), key=key)
        return self.doc.file, line, col

    @property
    def label(self) -> str:
        if self.section == "relations":
            return f"relation '{self.model.key}'"
        return f"{SINGULAR[self.section]} '{shown(self.model.id)}'"


def _validate(docs: list[_Document], problems: list[Problem], locate: MediaLocator) -> Dataset:
    items: dict[str, list[_Item]] = {name: [] for name in SINGULAR}
    info: DatasetInfo | None = None
    info_doc: _Document | None = None
    seen_ids: dict[tuple[str, str], tuple[_Document, int]] = {}
    raws: list[tuple[_Item, Any, str]] = []
    for doc in docs:
        for key, value in doc.data.items():
            model = TOP_LEVEL.get(key)
            if model is None:
                line, col = doc.locate([key], key=True)
                problems.append(
                    Problem(
                        doc.file,
                        line,
                        col,
                        f"unknown section '{shown(key)}'"
                        f"{_did_you_mean(key, TOP_LEVEL)}; the sections are "
                        f"{', '.join(TOP_LEVEL)}",
                    )
                )
                continue
            if key == "dataset":
                if info is not None:
                    line, col = doc.locate([key], key=True)
                    problems.append(
                        Problem(
                            doc.file,
                            line,
                            col,
                            "'dataset:' is defined in more than one file; keep one",
                        )
                    )
                    continue
                info = _validate_one(DatasetInfo, value, doc, [key], "dataset", problems)
                info_doc = doc
                continue
            if value is None or value is REFUSED:
                continue
            if not isinstance(value, list):
                line, col = doc.locate([key])
                problems.append(
                    Problem(
                        doc.file,
                        line,
                        col,
                        f"'{key}' must be a list: one '- id: ...' entry per item",
                    )
                )
                continue
            for i, raw in enumerate(value):
                raw_id = raw.get("id") if isinstance(raw, dict) else None
                label = (
                    f"{SINGULAR[key]} '{shown(raw_id)}'"
                    if isinstance(raw_id, str)
                    else f"{SINGULAR[key]} #{i + 1}"
                )
                if isinstance(raw_id, str) and key != "relations":
                    first = seen_ids.setdefault((key, raw_id), (doc, i))
                    if first != (doc, i):
                        at = f"line {first[0].locate([key, first[1]])[0]}"
                        if first[0] is not doc:
                            at = f"{first[0].file}:{at[5:]}"
                        line, col = doc.locate([key, i, "id"])
                        problems.append(
                            Problem(
                                doc.file,
                                line,
                                col,
                                f"duplicate {SINGULAR[key]} id "
                                f"'{shown(raw_id)}' "
                                f"(first defined at {at}); give each one its "
                                "own id",
                            )
                        )
                        continue
                obj = _validate_one(model, raw, doc, [key, i], label, problems)
                raws.append((_Item(key, i, doc, obj), raw, label))
                if obj is not None:
                    items[key].append(raws[-1][0])
    media = _check(items, problems, locate)
    _check_types(
        (
            (it, label, raw.get("type"))
            for it, raw, label in raws
            if it.section == "events" and isinstance(raw, dict)
        ),
        info,
        problems,
        info_doc,
    )
    _check_references(raws, {(k, i) for k, i in seen_ids}, problems)
    # an event that failed validation still has its places checked: every problem in one pass
    actors = {it.model.id: it.model for it in items["actors"]}
    for it, raw, label in raws:
        if it.section == "events" and it.model is None and isinstance(raw, dict):
            places = raw.get("places")
            if isinstance(places, list):
                _check_places(it, label, places, actors, problems)
    events = _resolve_dates(items["events"], problems)
    dataset = _assemble(info, items, events, media)
    dataset._warnings = _unit_warnings(items)
    return dataset


def _assemble(
    info: DatasetInfo | None,
    items: dict[str, list[_Item]],
    events: list[Event],
    media: dict[str, str],
) -> Dataset:
    """The dataset of checked items (validated already: nothing is validated again)."""
    dataset = Dataset.model_construct(
        dataset=info or DatasetInfo(),
        sources=[it.model for it in items["sources"]],
        actors=[it.model for it in items["actors"]],
        events=events,
        claims=[it.model for it in items["claims"]],
        relations=[it.model for it in items["relations"]],
    )
    dataset._media = media
    return dataset


def _validate_one(
    model: type[BaseModel],
    raw: Any,
    doc: _Document,
    path: list[Any],
    label: str,
    problems: list[Problem],
) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if err.get("input") is REFUSED:
                continue
            loc = list(err["loc"])
            kind = err["type"]
            if kind == "missing":
                line, col = doc.locate([*path, *loc[:-1]])
            else:
                line, col = doc.locate([*path, *loc], key=kind == "extra_forbidden")
            message = _message(model, loc, err)
            problems.append(Problem(doc.file, line, col, f"{label}: {message}"))
        return None


def _field_name(loc: list[Any]) -> str:
    names = [str(p) for p in loc if not isinstance(p, int)]
    return ".".join(names) or "value"


def _message(model: type[BaseModel], loc: list[Any], err: Any) -> str:
    kind, field, value = err["type"], _field_name(loc), err.get("input")
    raw = value if isinstance(value, str) else str(value)
    if isinstance(value, str):
        value = shown(value)
    if kind == "missing":
        return f"missing required field '{loc[-1]}'; add '{loc[-1]}: ...'"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        return (
            f"unknown field '{shown(str(loc[-1]))}'{_did_you_mean(str(loc[-1]), allowed)}; "
            f"allowed fields: {', '.join(allowed)}"
        )
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", err["ctx"]["expected"])
        return (
            f"{field} '{value}' is not one of: {', '.join(expected)}"
            f"{_did_you_mean(str(value), expected)}"
        )
    if kind == "string_pattern_mismatch":
        last = str(loc[-1]) if not isinstance(loc[-1], int) else str(loc[-2])
        if last == "same_as":
            return f"{field} '{value}' is not a Wikidata id; write Q and digits, like Q57413"
        if last == "url":
            return f"{field} '{value}' is not a web address; write a full https://... URL"
        if last == "base":
            return f"{field} '{value}' is not an IRI base; write one ending in / or #"
        odd = _odd_characters(raw)
        return (
            f"{field} '{value}' is not a valid id{odd}; ids are lowercase letters, digits "
            f"and single hyphens: write '{slugify(_unconfuse(raw))[:120]}'"
        )
    if kind == "string_too_short":
        return f"{field} is empty; write some text or remove the field"
    if kind == "string_too_long":
        return f"{field} is too long ({len(raw)} characters; at most {err['ctx']['max_length']})"
    if kind == "list_type":
        return f"{field} must be a list; write [a, b] or one '- item' per line"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{field} must be a mapping of 'key: value' lines, not {_kind_of(value)}"
    if kind == "string_type":
        return f"{field} must be text, not {_kind_of(value)}; put it in quotes"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"{field} '{value}' is not a day; write YYYY-MM-DD"
    return f"{field}: {err['msg'].lower()}"


def _kind_of(value: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "empty",
    }.get(type(value), "a value")


def _fields_at(model: type[BaseModel], loc: list[Any]) -> list[str]:
    """Field names of the model found by following `loc` through nested models."""
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        field = current.model_fields.get(step) if _is_model(current) else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(current.model_fields) if _is_model(current) else []


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _inner_model(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    origin = get_origin(annotation)
    if origin in (list, Union) or str(origin) in ("typing.Annotated", "<class 'types.UnionType'>"):
        for arg in get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    return did_you_mean(word, choices)


# Letters from other scripts that look like the Latin letters ids are made of (after Unicode's
# confusables list); NFKC covers fullwidth and other compatibility forms.
_LOOKALIKES = dict(
    zip(
        "аеорсухіјѕԁһӏԛԝвкмнтАВЕКМНОРСТХУІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
        "aeopcyxijsdhlqwbkmhtABEKMHOPCTXYIJSabeiknoptuxABEZHIKMNOPTYX",
        strict=True,
    )
)


def _unconfuse(text: str) -> str:
    """Replace look-alike letters by the ASCII letters they imitate; drop invisible ones."""
    return "".join(
        _LOOKALIKES.get(c, c)
        for c in unicodedata.normalize("NFKC", text)
        if unicodedata.category(c) != "Cf"
    )


def _odd_characters(text: str) -> str:
    """': it contains ...' naming the look-alike and invisible characters in an id, or ''."""
    notes = []
    for c in dict.fromkeys(text):
        code = f"U+{ord(c):04X} {unicodedata.name(c, 'CONTROL CHARACTER')}"
        like = _unconfuse(c)
        if like and like != c and like.isascii():
            notes.append(f"'{c}' ({code}), which looks like '{like}'")
        elif c != " " and (not c.isprintable() or unicodedata.category(c) in ("Cf", "Zs")):
            notes.append(f"an invisible {code}")
        if len(notes) == 3:
            break
    return ": it contains " + " and ".join(notes) if notes else ""


def slugify(text: str) -> str:
    """'Nicolás Maduro' -> 'nicolas-maduro'."""
    return fold(text) or "id"


# --- cross-checks over the validated items ---------------------------------------------------


def _check_types(
    events: Iterable[tuple[_Item, str, Any]],
    info: DatasetInfo | None,
    problems: list[Problem],
    info_doc: _Document | None = None,
) -> None:
    """Every event's type is one of ours or one the dataset declares; a declared type does
    not take the name of one of ours."""
    declared = dict(info.event_types) if info else {}
    for name in declared:
        if name in BUILTIN_TYPES:
            file, (line, col) = "dataset", (1, 1)
            if info_doc is not None:
                file = info_doc.file
                line, col = info_doc.locate(["dataset", "event_types", name], key=True)
            problems.append(
                Problem(
                    file,
                    line,
                    col,
                    f"dataset: event_types declares '{name}', one of the types already; "
                    "give your type a name of its own",
                )
            )
    known = list(dict.fromkeys([*BUILTIN_TYPES, *declared]))
    for it, label, t in events:
        if isinstance(t, str) and _SLUG.fullmatch(t) and t not in known:
            problems.append(
                Problem(
                    *it.where("type"),
                    f"{label}: type '{shown(t)}' is not one of: {', '.join(known)}"
                    f"{_did_you_mean(t, known)}"
                    + ("" if declared else "; or declare it under dataset: event_types"),
                )
            )


def _check(
    items: dict[str, list[_Item]], problems: list[Problem], locate: MediaLocator
) -> dict[str, str]:
    """Semantic cross-checks over validated items (references are checked on the raw data);
    returns where each local media file is (file as written -> path)."""
    known: dict[str, _Item] = {}
    for it in items["relations"]:
        key = it.model.key
        if key in known:
            first = known[key]
            at = (
                f"line {first.where()[1]}"
                if first.doc is it.doc
                else f"{first.doc.file}:{first.where()[1]}"
            )
            problems.append(
                Problem(
                    *it.where(),
                    f"duplicate relation '{key}' (first defined at {at}); state each relation once",
                )
            )
        known[key] = it
    actors = {it.model.id: it.model for it in items["actors"]}
    for it in items["actors"]:
        a = it.model
        for i, kind in enumerate(a.also):
            if kind == a.kind:
                problems.append(
                    Problem(
                        *it.where("also", i),
                        f"{it.label}: '{kind}' is its kind already; "
                        "list only other kinds under also",
                    )
                )
    for it in items["events"]:
        e: Event = it.model
        _check_places(it, it.label, e.places, actors, problems)
        for i, p in enumerate(e.participants):
            if p.place and p.place in actors and not actors[p.place].is_place:
                problems.append(
                    Problem(
                        *it.where("participants", i, "place"),
                        f"{it.label}: participant '{p.actor}' takes part at '{p.place}', "
                        f"{_a(actors[p.place].kind)}, not a place",
                    )
                )
        for field in ("follows", "caused_by"):
            for i, other in enumerate(getattr(e, field)):
                if other == e.id:
                    problems.append(
                        Problem(
                            *it.where(field, i),
                            f"{it.label}: an event cannot be in its own {field}",
                        )
                    )
    for it in items["relations"]:
        r: Relation = it.model
        if r.start and r.end and r.end.latest < r.start.earliest:
            problems.append(
                Problem(
                    *it.where("end"),
                    f"{it.label}: ends ({r.end}) before it begins ({r.start}); check both dates",
                )
            )
        if r.subject == r.object:
            problems.append(
                Problem(*it.where("object"), f"{it.label}: an actor cannot be related to itself")
            )
    _check_part_of_cycles({it.model.id: it for it in items["events"]}, problems)
    media: dict[str, str] = {}
    for section in ("actors", "events"):
        for it in items[section]:
            _check_media(it, locate, media, problems)
    return media


def _unit_warnings(items: dict[str, list[_Item]]) -> list[str]:
    """Units neither a currency code nor on the short list: kept, with a warning."""
    out = []
    for it in items["claims"]:
        note = unit_warning(it.model.unit)
        if note:
            out.append(str(Problem(*it.where("unit"), f"{it.label}: {note}")))
    for it in items["events"]:
        for i, q in enumerate(it.model.quantities):
            note = unit_warning(q.unit)
            if note:
                out.append(str(Problem(*it.where("quantities", i, "unit"), f"{it.label}: {note}")))
    return out


def _check_media(
    it: _Item, locate: MediaLocator, found: dict[str, str], problems: list[Problem]
) -> None:
    """A local media file must be a readable file inside the YAML file's folder, small enough
    to embed, and one file per name across the dataset."""
    for i, m in enumerate(it.model.media):
        if m.file is None:
            continue
        path = locate(it.doc.file, m.file)
        where = it.where("media", i, "file")
        try:
            inside = path.resolve().is_relative_to(locate(it.doc.file, ".").resolve())
            size = path.stat().st_size if path.is_file() else -1
        except OSError:
            inside, size = True, -1
        if not inside:
            problems.append(
                Problem(
                    *where,
                    f"{it.label}: media file '{shown(m.file)}' leads outside the "
                    "YAML file's folder (a link?); copy the image into the folder",
                )
            )
        elif size < 0:
            problems.append(
                Problem(
                    *where,
                    f"{it.label}: media file '{shown(m.file)}' is not there "
                    f"(looked for {path}); write its path relative to the YAML file",
                )
            )
        elif size > MAX_MEDIA_BYTES:
            problems.append(
                Problem(
                    *where,
                    f"{it.label}: media file '{shown(m.file)}' is {size / 1e6:.1f} "
                    f"MB; the view embeds files up to {MAX_MEDIA_BYTES // 1_000_000} MB: "
                    "make it smaller or give it by url",
                )
            )
        elif found.setdefault(m.file, str(path)) != str(path):
            problems.append(
                Problem(
                    *where,
                    f"{it.label}: another YAML file names a different "
                    f"'{shown(m.file)}'; give the two images different names",
                )
            )


# Where each section refers to other items: (kind referred to, path; "*" is every list item).
REFERENCES: dict[str, list[tuple[str, tuple[Any, ...]]]] = {
    "events": [
        ("actors", ("places", "*")),
        ("actors", ("participants", "*", "actor")),
        ("actors", ("participants", "*", "place")),
        ("sources", ("sources", "*")),
        ("events", ("part_of",)),
        ("events", ("follows", "*")),
        ("events", ("caused_by", "*")),
        ("events", ("date", "relative_to")),
        ("events", ("duplicate_of",)),
        ("actors", ("quotes", "*", "speaker")),
        ("sources", ("quotes", "*", "sources", "*")),
    ],
    "claims": [
        ("events", ("about",)),
        ("actors", ("claimed_by",)),
        ("sources", ("sources", "*")),
        ("actors", ("verifications", "*", "by")),
        ("sources", ("verifications", "*", "sources", "*")),
    ],
    "relations": [
        ("actors", ("subject",)),
        ("actors", ("object",)),
        ("sources", ("sources", "*")),
    ],
    "sources": [],
    "actors": [],
}


def _walk(
    value: Any, pattern: tuple[Any, ...], path: tuple[Any, ...] = ()
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every string found at `pattern` in raw data, with its concrete path."""
    if not pattern:
        if isinstance(value, str):
            yield value, path
        return
    step, rest = pattern[0], pattern[1:]
    if step == "*":
        if isinstance(value, list):
            for i, v in enumerate(value):
                yield from _walk(v, rest, (*path, i))
    elif isinstance(value, dict) and step in value:
        yield from _walk(value[step], rest, (*path, step))


def _strings(roots: list[Any], pattern: tuple[Any, ...]) -> list[str]:
    """The strings `_walk` finds under each of `roots`, without their paths (which only a
    problem needs)."""
    level = roots
    for step in pattern:
        if step == "*":
            level = [v for found in level if isinstance(found, list) for v in found]
        else:
            level = [found[step] for found in level if isinstance(found, dict) and step in found]
    return [v for v in level if isinstance(v, str)]


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _a(word: str) -> str:
    """'actor' -> 'an actor'."""
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _check_places(
    it: _Item, label: str, places: list[Any], actors: dict[str, Any], problems: list[Problem]
) -> None:
    """Every actor an event lists under `places` must be a place."""
    for i, place in enumerate(places):
        if isinstance(place, str) and place in actors and not actors[place].is_place:
            problems.append(
                Problem(
                    *it.where("places", i),
                    f"{label}: places lists '{place}', {_a(actors[place].kind)}, not a place; list "
                    "countries, regions, cities or facilities here",
                )
            )


def _check_references(
    raws: list[tuple[_Item, Any, str]], declared: set[tuple[str, str]], problems: list[Problem]
) -> None:
    """Every id an item refers to must exist; checked on raw data, so that items which failed
    validation still get their references checked. Ids declared by items that failed validation
    are not reported as unknown: their own problem is listed already."""
    ids: dict[str, dict[str, Any]] = {kind: {} for kind in SINGULAR}
    for it, _, _ in raws:
        if it.model is not None and it.section != "relations":
            ids[it.section][it.model.id] = it.model
    # The usual case, every id known, is found one pattern at a time over all items at once;
    # only then are the items walked one by one for the paths that a problem needs.
    roots: dict[str, list[Any]] = {section: [] for section in SINGULAR}
    for it, raw, _ in raws:
        roots[it.section].append(raw)
    if all(
        ids[kind].keys() >= set(_strings(roots[section], pattern))
        for section, patterns in REFERENCES.items()
        for kind, pattern in patterns
    ):
        return
    closest = {kind: _Closest(known) for kind, known in ids.items()}
    for it, raw, label in raws:
        for kind, pattern in REFERENCES[it.section]:
            for value, path in _walk(raw, pattern):
                if value in ids[kind] or (kind, value) in declared or not _SLUG.fullmatch(value):
                    # a malformed id already has its own problem, with the id to write
                    continue
                line, col = it.doc.locate((it.section, it.index, *path))
                other = next((k for k in ids if k != kind and value in ids[k]), None)
                if other is not None:  # the id of something else: say what it is
                    field = next((p for p in reversed(path) if isinstance(p, str)), kind)
                    message = (
                        f"{label}: '{shown(value)}' is {_a(SINGULAR[other])}; '{field}' needs "
                        f"{_a(SINGULAR[kind])} id"
                    )
                else:
                    close = closest[kind](value)
                    hint = (
                        f" (did you mean {close}?)" if close else f"; add it under '{kind}:' first"
                    )
                    message = f"{label}: unknown {SINGULAR[kind]} id '{shown(value)}'{hint}"
                problems.append(Problem(it.doc.file, line, col, message))


_CUTOFF = 0.6  # difflib.get_close_matches' own


class _Closest:
    """The known ids to suggest for an unknown one: those `difflib.get_close_matches(value,
    known, n=3, cutoff=0.6)` finds, then ids that contain it as a word ("maduro" names
    "nicolas-maduro"), then ids with a name that slugifies to it; three at most.

    Built once per kind of id and asked for every unknown id, so that a large dataset with
    many unknown ids gets its report in moments: the indexes are built at the first question,
    each answer is kept, and difflib scores only the ids that could reach its cutoff (see
    `_Lanes`), the most promising first, until none left can beat the third best.
    """

    def __init__(self, known: dict[str, Any]) -> None:
        self.known = known
        self.answers: dict[str, str] = {}
        self.lanes: list[_Lanes] = []
        self.too_long: list[str] = []  # scored one by one, as difflib would
        self.words: dict[str, list[str]] = {}
        self.named: dict[str, list[str]] = {}

    def __call__(self, value: str) -> str:
        if value not in self.answers:
            if not self.answers:
                self._index()
            close = self._close_matches(value)
            for ids in (self.words.get(value, ()), self.named.get(value, ())):
                close += [k for k in ids if k not in close][: 3 - len(close)]
            self.answers[value] = " or ".join(f"'{c}'" for c in close)
        return self.answers[value]

    def _index(self) -> None:
        by_width: dict[int, list[str]] = {}
        for k, model in self.known.items():
            width = next((w for w in _Lanes.WIDTHS if len(k) < w), 0)
            (by_width.setdefault(width, []) if width else self.too_long).append(k)
            for word in dict.fromkeys(k.split("-")):
                self.words.setdefault(word, []).append(k)
            for slug in dict.fromkeys(slugify(n) for n in getattr(model, "names", [])):
                self.named.setdefault(slug, []).append(k)
        self.lanes = [_Lanes(ids, width) for width, ids in by_width.items()]

    def _close_matches(self, value: str) -> list[str]:
        """`difflib.get_close_matches(value, known, n=3, cutoff=0.6)`, scoring fewer ids."""
        bounds = [(1.0, k) for k in self.too_long]
        for lanes in self.lanes:
            bounds += lanes.bounds(value)
        bounds.sort(reverse=True)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(value)
        best: list[tuple[float, str]] = []  # a heap of the three best (score, id) so far
        for bound, k in bounds:
            if len(best) == 3 and bound < best[0][0]:
                break
            matcher.set_seq1(k)
            score = matcher.ratio()
            if score >= _CUTOFF:
                (heapq.heappush if len(best) < 3 else heapq.heappushpop)(best, (score, k))
        return [k for _, k in sorted(best, reverse=True)]


class _Lanes:
    """Known ids side by side, each in a lane of `width` bits of one Python int per character,
    to find the longest common subsequence (LCS) of an unknown id with each of them at once.

    difflib's ratio is 2 * M / (len(a) + len(b)), where the M matched characters form a common
    subsequence; so 2 * LCS / (len(a) + len(b)) is an upper bound of the ratio, and a close one
    for ids, far closer than difflib's own quick_ratio. The LCS comes from the bit-parallel
    algorithm of Hyyrö ("Bit-parallel LCS-length computation revisited", 2004), with a zero
    guard bit atop each lane so that no carry crosses into the next one.
    """

    WIDTHS = (64, 128, 256)  # an id needs one bit more than its length; a count fits a byte

    def __init__(self, ids: list[str], width: int) -> None:
        ids.sort(key=len)
        self.ids = ids
        self.step = step = width // 8
        self.size = size = len(ids) * step
        rows: dict[str, bytearray] = {}
        ones = bytearray(size)
        for j, k in enumerate(ids):
            at = j * step
            masks: dict[str, int] = {}
            for i, c in enumerate(k):
                masks[c] = masks.get(c, 0) | 1 << i
            for c, mask in masks.items():
                if c not in rows:
                    rows[c] = bytearray(size)
                rows[c][at : at + step] = mask.to_bytes(step, "little")
            ones[at : at + step] = ((1 << len(k)) - 1).to_bytes(step, "little")
        self.where = {c: int.from_bytes(row, "little") for c, row in rows.items()}
        self.ones = int.from_bytes(ones, "little")
        self.pairs, self.nibbles, self.bytes = (
            int.from_bytes(pattern * size, "little") for pattern in (b"\x55", b"\x33", b"\x0f")
        )
        self.runs: list[tuple[int, int, int]] = []  # (length, first lane, lane after the last)
        for j, k in enumerate(ids):
            if self.runs and self.runs[-1][0] == len(k):
                self.runs[-1] = (len(k), self.runs[-1][1], j + 1)
            else:
                self.runs.append((len(k), j, j + 1))

    def bounds(self, value: str) -> list[tuple[float, str]]:
        """(upper bound of difflib's ratio, id) for the ids whose bound reaches the cutoff."""
        v = ones = self.ones
        for c in value:
            if c in self.where:
                u = v & self.where[c]
                v = ((v + u) | (v ^ u)) & ones
        # the zero bits of v within each id are its LCS; count them lane by lane
        x = v ^ ones
        x -= (x >> 1) & self.pairs
        x = (x & self.nibbles) + ((x >> 2) & self.nibbles)
        x = (x + (x >> 4)) & self.bytes
        shift = 8
        while shift < self.step * 8:
            x += x >> shift
            shift *= 2
        counts = x.to_bytes(self.size, "little")[:: self.step]
        found = []
        for length, first, end in self.runs:
            total = length + len(value)
            need = max(0, int(_CUTOFF * total / 2) - 1)
            while need <= length and 2.0 * need / total < _CUTOFF:
                need += 1
            if need > min(length, len(value)):
                continue
            hits = counts[first:end].translate(_at_least(need))
            at = hits.find(1)
            while at >= 0:
                found.append((2.0 * counts[first + at] / total, self.ids[first + at]))
                at = hits.find(1, at + 1)
        return found


@functools.cache
def _at_least(n: int) -> bytes:
    """A `bytes.translate` table: 1 for the bytes n and above, 0 below."""
    return bytes(int(i >= n) for i in range(256))


def _check_part_of_cycles(events: dict[str, _Item], problems: list[Problem]) -> None:
    reported: set[str] = set()
    for start in events:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current in events and current not in chain:
            chain.append(current)
            current = events[current].model.part_of
        if current is not None and current in chain:
            cycle = chain[chain.index(current) :]
            if reported.isdisjoint(cycle):
                reported.update(cycle)
                first = min(cycle, key=lambda i: (events[i].doc.file, events[i].index))
                it = events[first]
                loop = " -> ".join(
                    cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
                )
                problems.append(
                    Problem(
                        *it.where("part_of"),
                        f"{it.label}: part_of forms a cycle ({loop}); an event "
                        "cannot be part of itself",
                    )
                )


def _resolve_dates(events: list[_Item], problems: list[Problem]) -> list[Event]:
    by_id = {it.model.id: it for it in events}
    resolved: dict[str, PartialDate | None] = {}
    out = []
    for it in events:
        if isinstance(it.model.date, PartialDate) and not it.model.date.undated:
            out.append(it.model)
            continue
        date = _resolve_date(it.model.id, [], by_id, resolved, problems)
        if date is not None:
            out.append(it.model.model_copy(update={"date": date}))
    return out


def _resolve_date(
    event_id: str,
    stack: list[str],
    by_id: dict[str, _Item],
    resolved: dict[str, PartialDate | None],
    problems: list[Problem],
) -> PartialDate | None:
    # A module function, not a closure: a closure that calls itself is a reference cycle, which
    # kept every node tree alive until the collector's next full pass.
    if event_id in resolved:
        return resolved[event_id]
    it = by_id.get(event_id)
    if it is None:
        return None
    date = it.model.date
    if isinstance(date, PartialDate) and not date.undated:
        resolved[event_id] = date
        return date
    if event_id in stack:
        if isinstance(date, PartialDate):  # an unknown date met again through follows/part_of
            return None
        # reported where the cycle closes: the event read last, which points back to the first
        cycle = stack[stack.index(event_id) :]
        closer = by_id[cycle[-1]]
        loop = " -> ".join([cycle[-1], *cycle[:-1], cycle[-1]])
        problems.append(
            Problem(
                *closer.where("date", "relative_to"),
                f"{closer.label}: relative dates form a cycle ({loop}); "
                "anchor one of them to a calendar date",
            )
        )
        resolved[event_id] = None
        return None
    if isinstance(date, PartialDate):
        result: PartialDate | None = _bound_unknown(
            it.model, [*stack, event_id], by_id, resolved, problems
        )
        resolved[event_id] = result
        return result
    target = by_id.get(date.relative_to)
    if (
        target is not None
        and isinstance(target.model.date, PartialDate)
        and target.model.date.undated
    ):
        # refused before resolving it: an unknown date is bounded by what it follows, which
        # may be this very event
        anchor: PartialDate | None = target.model.date
    else:
        anchor = _resolve_date(date.relative_to, [*stack, event_id], by_id, resolved, problems)
    result = None
    if anchor is not None and not anchor.known:
        problems.append(
            Problem(
                *it.where("date", "relative_to"),
                f"{it.label}: relative date counts from '{date.relative_to}', whose date is "
                f"{'unknown' if anchor.undated else 'open (' + anchor.label() + ')'}; count "
                "from an event with a calendar date",
            )
        )
    elif anchor is not None:
        try:
            result = date.resolve(anchor)
        except OverflowError:
            days = " to ".join(str(d) for d in (date.from_days, date.to_days) if d is not None)
            problems.append(
                Problem(
                    *it.where("date"),
                    f"{it.label}: relative date falls outside the years 1 to 9999 "
                    f"({days} days from {anchor}); check from_days and to_days",
                )
            )
    resolved[event_id] = result
    return result


def _bound_unknown(
    e: Event,
    stack: list[str],
    by_id: dict[str, _Item],
    resolved: dict[str, PartialDate | None],
    problems: list[Problem],
) -> PartialDate:
    """An unknown date, bounded by what the event follows (on or after the latest of their
    earliest days) and by the event it is part of (within its days)."""
    lower, upper = _date.min, _date.max
    for other in [*e.follows, *([e.part_of] if e.part_of else [])]:
        when = _resolve_date(other, stack, by_id, resolved, problems)
        if when is None:
            continue
        lower = max(lower, when.earliest)
        if other == e.part_of:
            upper = min(upper, when.latest)
    return PartialDate.unknown(lower, upper if upper >= lower else _date.max)


# --- per-file validation, for the build cache ---------------------------------------------


@dataclass
class FilePart:
    """One valid file, validated on its own: the per-file half of `read_files`, which the build
    cache keeps by the file's bytes so that an edit re-validates only the edited file."""

    file: str
    has_info: bool
    info: DatasetInfo | None
    items: list[tuple[str, int, Any, Any]]  # (section, index in its list, model, raw id)
    refs: list[tuple[int, str, str]]  # (position in items, kind referred to, id referred to)


def validate_file(name: str, data: bytes) -> FilePart | None:
    """Parse and validate one file alone; None if it has any problem of its own (`read_files`
    then reports it, with the usual messages). The node tree is freed when this returns."""
    problems: list[Problem] = []
    with gc_paused():
        doc = _parse(name, data, problems)
        if doc is None or problems:
            return None
        part = FilePart(name, False, None, [], [])
        for key, value in doc.data.items():
            model = TOP_LEVEL.get(key)
            if model is None:
                return None
            if key == "dataset":
                part.has_info = True
                part.info = _validate_one(DatasetInfo, value, doc, [key], "dataset", problems)
                if problems:
                    return None
                continue
            if value is None:
                continue
            if not isinstance(value, list):
                return None
            for i, raw in enumerate(value):
                obj = _validate_one(model, raw, doc, [key, i], key, problems)
                if obj is None or problems:
                    return None
                for kind, pattern in REFERENCES[key]:
                    part.refs += [(len(part.items), kind, ref) for ref in _strings([raw], pattern)]
                part.items.append((key, i, obj, raw.get("id") if isinstance(raw, dict) else None))
    return part


class _Unlocated(_Document):
    """A file known only by its validated items: any problem sends the caller to `read_files`,
    which parses it again to say where."""

    def locate(self, path: Iterable[Any], key: bool = False) -> tuple[int, int]:
        return 1, 1


def combine_parts(parts: list[FilePart]) -> Dataset | None:
    """The cross-file half of `read_files` over valid files, the same checks in the same order;
    None if any fails (call `read_files` for the messages)."""
    problems: list[Problem] = []
    with gc_paused():
        info: DatasetInfo | None = None
        has_info = False
        items: dict[str, list[_Item]] = {name: [] for name in SINGULAR}
        declared: set[tuple[str, str]] = set()
        refs: list[tuple[_Item, str, str]] = []
        for part in parts:
            if part.has_info:
                if has_info:
                    return None
                has_info, info = True, part.info
            doc = _Unlocated(part.file, yaml.ScalarNode(_T + "str", ""), {})
            placed = []
            for section, index, model, raw_id in part.items:
                if isinstance(raw_id, str) and section != "relations":
                    if (section, raw_id) in declared:
                        return None
                    declared.add((section, raw_id))
                placed.append(_Item(section, index, doc, model))
                items[section].append(placed[-1])
            refs += [(placed[at], kind, ref) for at, kind, ref in part.refs]
        ids = {
            kind: {it.model.id for it in items[kind]} for kind in SINGULAR if kind != "relations"
        }
        for _, kind, ref in refs:
            if not (ref in ids[kind] or (kind, ref) in declared or not _SLUG.fullmatch(ref)):
                return None
        media = _check(items, problems, beside)
        _check_types(((it, it.label, it.model.type) for it in items["events"]), info, problems)
        events = _resolve_dates(items["events"], problems)
        if problems:
            return None
        dataset = _assemble(info, items, events, media)
        dataset._warnings = _unit_warnings(items)
        return dataset
