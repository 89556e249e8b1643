"""Atomic file writes: a failed or interrupted run leaves the previous outputs untouched."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from timeline.errors import ExportError

Content = bytes | str | Iterable[bytes] | Callable[[int], None]
"""What a file is written from: its bytes or text, its bytes piece by piece (streamed), or a
function that writes it through the file descriptor it is given (say, with os.copy_file_range)."""


def atomic_write(path: str | Path, data: Content) -> None:
    atomic_write_many({Path(path): data})


def atomic_write_many(files: Mapping[Path, Content]) -> None:
    """Write every file to a temporary sibling first, then move each into place.

    Nothing is replaced until every file has been written and flushed to disk, so an error or an
    interruption while writing leaves all previous outputs as they were. A file given as an
    iterable of byte strings is written as they come (never all held in memory); an error
    raised while producing them leaves the previous outputs too.
    """
    staged: list[tuple[str, Path]] = []
    mode = _default_mode()
    path = Path()
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            os.fchmod(fd, mode)  # mkstemp makes 0600 files; outputs are ordinary files
            with os.fdopen(fd, "wb") as fh:
                if callable(data):
                    data(fh.fileno())
                elif isinstance(data, str):
                    fh.write(data.encode("utf-8"))
                elif isinstance(data, bytes | bytearray | memoryview):
                    fh.write(data)
                else:
                    for part in data:
                        fh.write(part)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            os.replace(tmp, path)
        staged = []
    except OSError as exc:  # a file where a folder should be, no permission, a full disk
        blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        reason = f"{blocked} is a file, not a folder" if blocked else exc.strerror or str(exc)
        raise ExportError(f"cannot write {path}: {reason}") from None
    finally:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def _default_mode() -> int:
    """The mode a plainly created file gets under the current umask (0644 usually)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


STALE_AFTER_S = 600


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporaries a killed run (SIGKILL, power loss) left beside `path`.

    Only our own pattern (``.NAME.*.tmp``) older than ten minutes is removed, so a concurrent
    build writing the same folder right now keeps its files.
    """
    cutoff = time.time() - STALE_AFTER_S
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except FileNotFoundError:
            pass
