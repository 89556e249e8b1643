"""What every forked worker process does first."""

from __future__ import annotations


def ignore_interrupts() -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker leaves it to the parent,
    which stops the build with one line (exit 130) and ends its workers, instead of each worker
    printing a traceback of its own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def room_for_a_worker(workers: int = 1) -> bool:
    """Whether the machine has the memory for `workers` more forked workers: each shares this
    process's pages but copies those it touches (up to about as much as this process has held),
    so they are started by default only while the available memory is at least this process's
    peak size once more for each. Unknown (no /proc/meminfo): yes."""
    import resource

    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            available = next(
                int(line.split()[1]) for line in fh if line.startswith("MemAvailable:")
            )
    except (OSError, StopIteration, ValueError):
        return True
    size = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, like meminfo
    return available >= (1 + workers) * size
