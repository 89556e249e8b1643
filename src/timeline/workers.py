"""What every forked worker process does first."""

from __future__ import annotations


def ignore_interrupts() -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker leaves it to the parent,
    which stops the build with one line (exit 130) and ends its workers, instead of each worker
    printing a traceback of its own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def room_for_a_worker() -> bool:
    """Whether the machine has the memory for one more forked worker: it shares this process's
    pages but copies those it touches (up to about as much as this process holds), so one is
    started by default only while the available memory is at least twice this process's size.
    Unknown (no /proc/meminfo): yes."""
    import resource

    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            available = next(int(line.split()[1]) for line in fh
                             if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        return True
    size = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, like meminfo
    return available >= 2 * size
