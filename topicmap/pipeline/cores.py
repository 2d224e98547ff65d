"""How many CPU cores this process may use, and handing that number to the libraries that run threads.

``os.cpu_count()`` counts the machine's cores, not this process's: under ``taskset``, a cpuset or a
container's CPU quota (``docker run --cpus 2``) a library that trusts it starts more threads than it
has cores, and they queue behind each other. :func:`available_cores` reads the process's affinity
and its cgroup quota (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``); ``TOPICMAP_THREADS`` overrides both.

:func:`use_cores` gives that many threads to numba (EVoC's NN-descent and label propagation, UMAP's
fuzzy graph), torch (the exact kNN products) and tells the caller how many HDBSCAN core-distance
jobs to run. None of them changes the map: the threaded stages compute the same numbers whatever the
thread count (tests/core/pipeline/test_cores.py); seeded UMAP's optimisation stays on one thread.

:func:`load_torch_openmp_first` keeps torch on its own OpenMP runtime: see there.
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
import os
import sys
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GPU_STAGES_SETTING = "TOPICMAP_GPU_STAGES"


def cgroup_cpu_quota(root: Path = CGROUP_ROOT) -> float | None:
    """CPUs the cgroup's quota allows (``docker --cpus``), or None when there is no quota."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]  # cgroup v2: "max 100000" or "200000 100000"
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota_us / period_us if quota_us > 0 and period_us > 0 else None
    except (OSError, ValueError):
        return None


def available_cores(environ: dict[str, str] | None = None, root: Path = CGROUP_ROOT) -> int:
    """Cores this process may use: ``TOPICMAP_THREADS``, else its CPU affinity capped by its cgroup quota."""
    forced = (os.environ if environ is None else environ).get("TOPICMAP_THREADS", "").strip()
    if forced:
        try:
            return max(1, int(forced))
        except ValueError:
            raise ValueError(f"TOPICMAP_THREADS must be a whole number, got {forced!r}") from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = cgroup_cpu_quota(root)
    return max(1, min(cores, math.ceil(quota))) if quota else cores


def numba_pool_size() -> int:
    """Threads in numba's pool, fixed when numba was first imported (at least 16: topicmap/__init__.py)."""
    import numba

    return int(getattr(numba.config, "NUMBA_NUM_THREADS", 1))


def use_cores(cores: int | None = None) -> int:
    """Give ``cores`` (default: :func:`available_cores`) threads to numba and, once imported, torch."""
    cores = cores or available_cores()
    import numba

    numba.set_num_threads(max(1, min(cores, numba_pool_size())))
    if "torch" in sys.modules:  # never import torch for this (a second at start)
        sys.modules["torch"].set_num_threads(cores)
    return cores


def load_torch_openmp_first() -> None:
    """Load the OpenMP runtime torch ships (``torch/lib/libgomp.so.1``) before numba can load Debian's.

    numba's OpenMP thread pool links the system's ``libgomp.so.1.0.0``, whose soname is torch's
    ``libgomp.so.1``: once a numba parallel stage has run, a torch imported later (the bf16 encoder,
    the exact kNN products) binds to numba's runtime instead of its own, and its bf16 matrix products
    crawl: 1,500 documents took 320 s to embed in a worker instead of 8 s. Loaded first, torch's runtime
    keeps its name and numba loads the system's beside it. Costs a millisecond; imports nothing.
    """
    if "torch" in sys.modules or not sys.platform.startswith("linux"):
        return
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return
    for location in (spec.submodule_search_locations or []) if spec else []:
        runtime = Path(location) / "lib" / "libgomp.so.1"
        if runtime.is_file():
            try:
                ctypes.CDLL(str(runtime), mode=os.RTLD_LOCAL)
            except OSError:
                pass  # a broken torch install fails loudly where torch is used, not here
            return


def stages_device(environ: dict[str, str] | None = None) -> str:
    """``cuda`` where the large-corpus stages after embedding run on a GPU (topicmap/pipeline/gpu.py),
    else ``cpu``. ``TOPICMAP_GPU_STAGES``: ``auto`` (default: the GPU when torch and numba see one),
    ``off`` (the CPU path everywhere), ``on`` (fail when there is no usable GPU)."""
    setting = (os.environ if environ is None else environ).get(GPU_STAGES_SETTING, "auto").strip().lower() or "auto"
    if setting not in ("auto", "on", "off"):
        raise ValueError(f"{GPU_STAGES_SETTING} must be auto, on or off, got {setting!r}")
    if setting == "off" or (setting == "auto" and not Path("/dev/nvidiactl").exists()):
        return "cpu"  # no NVIDIA driver: not worth importing torch to learn it
    try:
        import torch
        from numba import cuda

        if torch.cuda.is_available() and cuda.is_available():  # type: ignore[no-untyped-call]
            return "cuda"
        reason = "torch or numba sees no CUDA device"
    except Exception as error:  # a broken CUDA install: the CPU path still works
        reason = f"{type(error).__name__}: {error}"
    if setting == "on":
        raise RuntimeError(f"{GPU_STAGES_SETTING}=on but the GPU stages cannot run here ({reason})")
    return "cpu"
