"""How fast this machine is right now: a fixed single-threaded workload, timed (best of three).

A shared VM's speed changes within a day: on this project's machine the same 100,000-document run
after embedding took 24.6 s one morning and 42.7 s at midday. Benchmarks print the probe beside
their tables, so numbers taken at different times on the same machine can be compared: a larger
probe time means a slower machine at the time.
"""

from __future__ import annotations

import time

import numpy as np


def speed_probe(rounds: int = 3) -> float:
    """Seconds the workload takes, the fastest of ``rounds`` (the least disturbed)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - start)
    return best


def _workload() -> int:
    """Interpreter work and one core's memory and comparisons, as the pipeline's single-threaded
    parts are: a Python loop, and a sort of two million numbers."""
    total = 0
    for i in range(1_000_000):
        total += i * i % 7
    values = np.random.default_rng(0).random(2_000_000)
    return total + int(np.sort(values)[0] > 0)


def probe_line(seconds: float | None) -> str:
    """The sentence a benchmark's header carries ("" when the run had no probe)."""
    if seconds is None:
        return ""
    return f" Speed probe {seconds:.2f} s (benchmarks/probe.py; larger: a slower machine at the time)."
