"""benchmarks/busy.py: the running-thread sampler behind the Amdahl estimate in docs/benchmarks.md."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from benchmarks.busy import BusySampler, amdahl, running_threads, summary

SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"


def test_amdahl_splits_single_threaded_time_from_work_that_divides() -> None:
    samples = [(t / 10, 1) for t in range(10)] + [(1 + t / 10, 2) for t in range(10)]
    estimates = amdahl(samples, {"serial": (0.0, 1.0), "parallel": (1.0, 2.0), "unsampled": (5.0, 6.0)}, 2, 16)
    assert estimates["serial"] == pytest.approx({"wall_s": 1.0, "serial_s": 1.0, "estimate_s": 1.0})
    assert estimates["parallel"] == pytest.approx({"wall_s": 1.0, "serial_s": 0.0, "estimate_s": 2 / 16})
    assert estimates["unsampled"]["serial_s"] == 1.0  # no evidence that it divides: counted as serial
    assert summary(estimates) == pytest.approx({"wall_s": 3.0, "serial_s": 2.0, "estimate_s": 2.125})


def test_the_sampler_sees_a_child_process_running() -> None:
    """A parent that waits on a spinning child: the sampled tree has one running thread (the child's)."""
    code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {SPIN.format(seconds=1.5)!r}])"
    process = subprocess.Popen([sys.executable, "-c", code])
    sampler = BusySampler(process.pid).start()
    time.sleep(1.0)
    now = running_threads(process.pid)
    process.wait()
    samples = sampler.stop()
    assert now >= 1 and samples
    assert max(n for _, n in samples) >= 1
