"""What every forked worker process does first."""

from __future__ import annotations


def ignore_interrupts() -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker leaves it to the parent,
    which stops the build with one line (exit 130) and ends its workers, instead of each worker
    printing a traceback of its own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
