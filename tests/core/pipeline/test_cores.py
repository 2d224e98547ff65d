"""Cores: what the process may use, and maps that do not depend on how many threads made them."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.pipeline.cluster import HdbscanClusterer
from topicmap.pipeline.cores import available_cores, cgroup_cpu_quota, numba_pool_size, use_cores
from topicmap.pipeline.reduce import NeighbourGraph, graph_init
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams

AFFINITY = len(os.sched_getaffinity(0))


def quota_files(root: Path, v2: str | None = None, v1: tuple[str, str] | None = None) -> Path:
    if v2 is not None:
        (root / "cpu.max").write_text(v2)
    if v1 is not None:
        (root / "cpu").mkdir()
        (root / "cpu" / "cpu.cfs_quota_us").write_text(v1[0])
        (root / "cpu" / "cpu.cfs_period_us").write_text(v1[1])
    return root


def test_the_cgroup_quota_is_read_from_v2_and_v1(tmp_path: Path) -> None:
    for name, files, quota in [
        ("v2-limited", {"v2": "150000 100000\n"}, 1.5),
        ("v2-unlimited", {"v2": "max 100000\n"}, None),
        ("v1-limited", {"v1": ("200000", "100000")}, 2.0),
        ("v1-unlimited", {"v1": ("-1", "100000")}, None),
        ("none", {}, None),
    ]:
        root = tmp_path / name
        root.mkdir()
        assert cgroup_cpu_quota(quota_files(root, **files)) == quota, name  # type: ignore[arg-type]


def test_available_cores_follow_the_setting_the_affinity_and_the_quota(tmp_path: Path) -> None:
    assert available_cores({"TOPICMAP_THREADS": "3"}, tmp_path) == 3
    assert available_cores({"TOPICMAP_THREADS": "0"}, tmp_path) == 1
    with pytest.raises(ValueError, match="TOPICMAP_THREADS must be a whole number"):
        available_cores({"TOPICMAP_THREADS": "many"}, tmp_path)
    assert available_cores({}, tmp_path) == AFFINITY  # no quota: the affinity (taskset), not the machine
    assert available_cores({}, quota_files(tmp_path, v2="50000 100000")) == 1  # docker --cpus 0.5


@pytest.mark.skipif(AFFINITY < 2, reason="needs two cores to compare one thread with two")
def test_the_threaded_stages_give_the_same_numbers_for_any_thread_count() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(30, 64))
    X = (centres[rng.integers(0, 30, 6000)] + 0.6 * rng.normal(size=(6000, 64))).astype(np.float32)
    results = []
    for threads in (1, 2):
        assert use_cores(threads) == threads
        graph = NeighbourGraph(exact_limit=100).fit(X)  # EVoC's NN-descent, as above 50,000 documents
        start = graph_init(graph, X, 5, 42)
        labels = HdbscanClusterer(min_cluster_size=20, min_samples=5).fit(start).labels_
        results.append((graph.indices_, graph.distances_, start, labels))
    use_cores()
    for one_thread, two_threads in zip(*results, strict=True):
        np.testing.assert_array_equal(one_thread, two_threads)


@pytest.mark.skipif(AFFINITY < 2, reason="needs two cores to compare one thread with two")
@pytest.mark.parametrize("large_corpus", [10_000, 100], ids=["small-corpus path", "large-corpus path"])
def test_a_map_made_on_one_core_equals_one_made_on_two(large_corpus: int, monkeypatch: pytest.MonkeyPatch) -> None:
    texts, _ = planted_corpus(60)
    ids = [f"d{i}" for i in range(len(texts))]
    maps = []
    for threads in ("1", "2"):
        monkeypatch.setenv("TOPICMAP_THREADS", threads)
        maps.append(run_pipeline(texts, ids, PipelineParams(), encoder=HashingEncoder(), large_corpus=large_corpus))
    monkeypatch.delenv("TOPICMAP_THREADS")
    use_cores()
    one, two = maps
    for name in ("topic", "outlier", "x", "y"):
        assert getattr(one.documents, name) == getattr(two.documents, name), name
    assert [(t.id, t.label, t.size) for t in one.topics] == [(t.id, t.label, t.size) for t in two.topics]


NUMBA_THEN_TORCH = """
import json
import numba
{first}

@numba.njit(parallel=True)
def total(n):
    s = 0
    for i in numba.prange(n):
        s += i
    return s

total(1000)  # numba's OpenMP pool starts here, loading the system's libgomp
import torch

torch.ones(64, 64) @ torch.ones(64, 64)
print(json.dumps({{"layer": numba.threading_layer(),
                   "gomp": sorted({{line.split()[-1] for line in open("/proc/self/maps") if "gomp" in line}})}}))
"""


def numba_then_torch(first: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", NUMBA_THEN_TORCH.format(first=first)],
                            capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


TORCH_ON_LINUX = sys.platform.startswith("linux") and importlib.util.find_spec("torch") is not None


@pytest.mark.skipif(not TORCH_ON_LINUX, reason="torch on Linux")
def test_torch_keeps_its_own_openmp_after_a_numba_parallel_stage() -> None:
    """Bound to the system's libgomp that numba loaded, torch's bf16 products ran 40 times slower: a
    1,500-document job took 320 s to embed. Importing topicmap.pipeline loads torch's own runtime first."""
    torch_dir = Path(importlib.util.find_spec("torch").submodule_search_locations[0])  # type: ignore[union-attr]
    if not (torch_dir / "lib" / "libgomp.so.1").is_file():
        pytest.skip("this torch build ships no OpenMP runtime of its own")
    bare = numba_then_torch(first="")
    if bare["layer"] != "omp":
        pytest.skip(f"numba runs its {bare['layer']} threading layer here, not OpenMP")
    fixed = numba_then_torch(first="import topicmap.pipeline")
    assert str(torch_dir / "lib" / "libgomp.so.1") in fixed["gomp"]  # type: ignore[operator]
    assert fixed["layer"] == "omp"


def test_hdbscan_labels_do_not_depend_on_the_number_of_threads() -> None:
    rng = np.random.default_rng(1)
    centres = rng.normal(scale=3, size=(40, 5))
    X = (centres[rng.integers(0, 40, 20_000)] + rng.normal(size=(20_000, 5))).astype(np.float32)
    labels = []
    for threads in sorted({1, 2, numba_pool_size()}):  # numba runs more threads than there are cores
        use_cores(threads)
        labels.append(HdbscanClusterer(min_cluster_size=50, min_samples=5).fit(X).labels_)
    use_cores()
    assert labels[0].max() >= 1  # found clusters, not one blob
    for other in labels[1:]:
        np.testing.assert_array_equal(labels[0], other)
