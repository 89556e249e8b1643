"""`timeline merge DRAFT DATA_FILE`: add a reviewed draft's items to a dataset file, keeping it.

The target file is edited as YAML that round-trips (ruamel.yaml): its comments, key order,
quoting and layout stay as they were, and the draft's sources, actors, events, claims and
relations are appended to their sections. A drafted event marked `duplicate_of` an existing event
is left out unless asked for (an event dated relative to it is then dated relative to the event
it restates). Nothing is written unless the merged dataset validates: every problem of the draft
and of the target is reported at once, each at its own file, line and column, and the target is
written atomically.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeline.errors import InvalidDataset, Problem, TimelineError

SECTIONS = ("sources", "actors", "events", "claims", "relations")


@dataclass
class Merged:
    """What a merge added, and which possible duplicates it left out."""

    added: dict[str, int] = field(default_factory=dict)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (draft id, existing id)
    kept: list[str] = field(default_factory=list)  # ids already in the target, not added again

    def summary(self) -> str:
        parts = [f"{n} {section if n != 1 else section[:-1]}" for section, n in self.added.items()]
        return ", ".join(parts) or "nothing"


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a curator's long lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def merge(
    draft: Path, target: Path, duplicates: bool = False, output: Path | None = None
) -> Merged:
    """Merge the draft into the dataset file `target` (or write the result to `output`)."""
    from timeline.atomic import atomic_write
    from timeline.load import read_files

    files = [(str(target), _read(target)), (str(draft), _read(draft))]
    read_files(files)  # the draft against the target: every problem, each where it is
    y = _yaml()
    try:
        data = y.load(files[0][1].decode("utf-8-sig")) or {}
        incoming = y.load(files[1][1].decode("utf-8-sig")) or {}
    except Exception as exc:  # validated just now: only a YAML feature ruamel reads otherwise
        raise TimelineError(f"cannot edit {target} as YAML: {exc}") from None
    result = Merged()
    skipped: dict[str, str] = {}
    if not duplicates:
        for item in incoming.get("events") or []:
            if item.get("duplicate_of"):
                skipped[item["id"]] = item["duplicate_of"]
                result.left_out.append((item["id"], item["duplicate_of"]))
    for section in SECTIONS:
        items = incoming.get(section) or []
        have = {_key(section, i) for i in data.get(section) or []}
        added = 0
        for item in items:
            if section == "events" and item.get("id") in skipped:
                continue
            if _key(section, item) in have:
                result.kept.append(str(_key(section, item)))
                continue
            if section == "events":
                _reanchor(item, skipped)
            if data.get(section) is None:
                from ruamel.yaml.comments import CommentedSeq

                data[section] = CommentedSeq()
            data[section].append(item)
            added += 1
        if added:
            result.added[section] = added
    out = io.StringIO()
    y.dump(data, out)
    merged = out.getvalue().encode()
    try:
        read_files([(str(target), merged)])
    except InvalidDataset as exc:  # what only the merge makes: say so, write nothing
        raise InvalidDataset(
            [Problem(str(draft), 1, 1, f"merged into {target}, {p.message}") for p in exc.problems]
        ) from None
    atomic_write(output or target, merged)
    return result


def _key(section: str, item: Any) -> Any:
    if section == "relations" and not item.get("id"):
        return (item.get("subject"), item.get("type"), item.get("object"))
    return item.get("id")


def _reanchor(event: Any, skipped: dict[str, str]) -> None:
    """An event dated relative to a duplicate left out: relative to the event it restates."""
    when = event.get("date")
    if hasattr(when, "get") and when.get("relative_to") in skipped:
        left_out = when["relative_to"]
        when["relative_to"] = skipped[left_out]
        review = event.setdefault("review", [])
        review.append(f"dated from {skipped[left_out]}, which {left_out} restated: check it")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TimelineError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TimelineError(f"{path}: is a folder; merge into one YAML file") from None
    except OSError as exc:
        raise TimelineError(f"{path}: cannot read: {exc.strerror}") from None
