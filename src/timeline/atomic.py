"""Atomic file writes: a failed or interrupted run leaves the previous outputs untouched."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path


def atomic_write(path: str | Path, data: bytes | str) -> None:
    atomic_write_many({Path(path): data})


def atomic_write_many(files: Mapping[Path, bytes | str]) -> None:
    """Write every file to a temporary sibling first, then move each into place.

    Nothing is replaced until every file has been written and flushed to disk, so an error or an
    interruption while writing leaves all previous outputs as they were.
    """
    staged: list[tuple[str, Path]] = []
    mode = _default_mode()
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            os.fchmod(fd, mode)  # mkstemp makes 0600 files; outputs are ordinary files
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            os.replace(tmp, path)
        staged = []
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
