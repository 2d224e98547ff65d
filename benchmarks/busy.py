"""How much of a run is single-threaded: sample a process tree's running threads, attribute them to stages.

Amdahl's law on a machine with few cores: every ``INTERVAL`` seconds :class:`BusySampler` counts the
threads of a process and of its children (the text passes' loky processes) that the kernel has in
state R. A sample with one running thread is single-threaded time, which more cores cannot shorten;
a sample with more is work that divides (``min(running, cores)`` cores' worth of it). From them
:func:`amdahl` estimates the time on more cores, assuming the work that divided here divides there
perfectly: an upper bound on the speed-up, measured where the cores are missing, and it says which
stage holds the single-threaded time.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

INTERVAL = 0.01
PROC = Path("/proc")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from each task's ``children`` list)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in (PROC / str(current) / "task").glob("*"):
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def running_threads(pid: int) -> int:
    """Threads of ``pid``'s process tree in state R (running or ready to run) right now."""
    running = 0
    for process in _tree(pid):
        for stat in (PROC / str(process) / "task").glob("*/stat"):
            try:
                state = stat.read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            running += state == "R"
    return running


class BusySampler:
    """Sample :func:`running_threads` of ``pid`` in a background thread until :meth:`stop`."""

    def __init__(self, pid: int, interval: float = INTERVAL) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []  # (time.monotonic(), running threads)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="busy-sampler", daemon=True)

    def start(self) -> BusySampler:
        self._thread.start()
        return self

    def stop(self) -> list[tuple[float, int]]:
        self._done.set()
        self._thread.join()
        return self.samples

    def _run(self) -> None:
        while not self._done.is_set():
            try:
                self.samples.append((time.monotonic(), running_threads(self.pid)))
            except FileNotFoundError:  # the process has ended
                return
            self._done.wait(self.interval)


def amdahl(
    samples: list[tuple[float, int]], sections: dict[str, tuple[float, float]], cores: int, target: int
) -> dict[str, dict[str, float]]:
    """Per section (name → monotonic start and end): its wall seconds here, its single-threaded seconds,
    and its estimated seconds on ``target`` cores (single-threaded time plus the divided work over
    ``target``). The sampler's own thread is not in the tree it samples."""
    result: dict[str, dict[str, float]] = {}
    for name, (start, end) in sections.items():
        inside = [(t, n) for t, n in samples if start <= t < end]
        wall = end - start
        if not inside:
            result[name] = {"wall_s": wall, "serial_s": wall, "estimate_s": wall}
            continue
        step = wall / len(inside)  # each sample stands for an equal share of the section
        serial = sum(step for _, n in inside if n <= 1)
        divided = sum(step * min(n, cores) for _, n in inside if n > 1)
        result[name] = {"wall_s": wall, "serial_s": serial, "estimate_s": serial + divided / target}
    return result


def summary(estimates: dict[str, Any]) -> dict[str, float]:
    """The sections' totals."""
    return {key: sum(section[key] for section in estimates.values()) for key in ("wall_s", "serial_s", "estimate_s")}
