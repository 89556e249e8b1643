"""The progress callback every long stage takes: it is told each stage's name as it starts.

The library never prints; the CLI passes a callback that shows the stages with rich.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def quiet(stage: str) -> None:
    """A progress callback that reports nothing."""
