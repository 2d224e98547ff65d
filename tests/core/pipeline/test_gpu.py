"""The GPU stages: the CUDA kernels follow the CPU optimiser (numba's CUDA simulator here, a real GPU
where there is one), the setting, and the exact kNN graph on a device."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from topicmap.pipeline.cores import stages_device
from topicmap.pipeline.reduce import exact_cosine_knn

KERNELS_AGAINST_CPU = """
import json
import numpy as np
from tests.core.pipeline.test_batch_layout import two_groups
from topicmap.pipeline.batch_layout import optimise_in_batches

graph, group = two_groups(n={n})
start = (np.random.default_rng(1).random((len(group), {dim})) * 10).astype(np.float32)
cpu = optimise_in_batches(start, graph, {epochs}, 1.58, 0.9, seed=42)
gpu = optimise_in_batches(start, graph, {epochs}, 1.58, 0.9, seed=42, device="cuda")
again = optimise_in_batches(start, graph, {epochs}, 1.58, 0.9, seed=42, device="cuda")
print(json.dumps({{"cpu": cpu.tolist(), "gpu": gpu.tolist(), "again": again.tolist(), "group": group.tolist()}}))
"""


def kernels_against_cpu(simulate: bool, n: int, dim: int, epochs: int) -> dict[str, np.ndarray]:
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1" if simulate else "0"}
    script = KERNELS_AGAINST_CPU.format(n=n, dim=dim, epochs=epochs)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return {name: np.asarray(values) for name, values in json.loads(result.stdout.splitlines()[-1]).items()}


def test_the_cuda_kernels_take_the_cpu_optimisers_steps() -> None:
    """numba's CUDA simulator runs the kernels, one Python thread per CUDA thread, with their epochs
    loop and device arrays: the same gradients, samples and Adam steps as the CPU path, to rounding."""
    runs = kernels_against_cpu(simulate=True, n=96, dim=5, epochs=12)
    assert runs["gpu"].shape == runs["cpu"].shape == (96, 5)
    np.testing.assert_allclose(runs["gpu"], runs["cpu"], rtol=0, atol=1e-9)
    assert np.array_equal(runs["gpu"], runs["again"])
    assert not np.allclose(runs["gpu"], (np.random.default_rng(1).random((96, 5)) * 10))  # it moved


@pytest.mark.skipif(stages_device() != "cuda", reason="needs a CUDA GPU")
def test_on_a_real_gpu_the_layout_is_reproducible_and_close_to_the_cpu() -> None:
    first_steps = kernels_against_cpu(simulate=False, n=2000, dim=5, epochs=12)
    np.testing.assert_allclose(first_steps["gpu"], first_steps["cpu"], rtol=0, atol=1e-6)  # rounding, not more
    runs = kernels_against_cpu(simulate=False, n=2000, dim=2, epochs=200)
    assert np.array_equal(runs["gpu"], runs["again"])  # no atomics: the same seed, the same layout
    group = runs["group"]
    centres = np.stack([runs["gpu"][group == g].mean(axis=0) for g in (0, 1)])
    spread = max(np.linalg.norm(runs["gpu"][group == g] - centres[g], axis=1).mean() for g in (0, 1))
    assert np.linalg.norm(centres[0] - centres[1]) > 3 * spread  # two blobs, as on the CPU


def test_the_setting_turns_the_gpu_stages_off_and_on() -> None:
    assert stages_device({"TOPICMAP_GPU_STAGES": "off"}) == "cpu"
    with pytest.raises(ValueError, match="auto, on or off"):
        stages_device({"TOPICMAP_GPU_STAGES": "sometimes"})
    if stages_device() != "cuda":
        with pytest.raises(RuntimeError, match="cannot run here"):
            stages_device({"TOPICMAP_GPU_STAGES": "on"})


def test_exact_neighbours_on_a_torch_device_match_numpy() -> None:
    """The GPU path's kNN graph is exact_cosine_knn on the device: checked here on torch's CPU device
    with several blocks against all pairwise products."""
    X = np.random.default_rng(3).normal(size=(700, 16)).astype(np.float32)
    indices, distances = exact_cosine_knn(X, 6, block=256, device="cpu")
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    cosine = unit @ unit.T
    np.fill_diagonal(cosine, np.inf)
    expected = np.argsort(-cosine, axis=1, kind="stable")[:, :6]
    assert np.array_equal(indices, expected)
    assert np.all(np.diff(distances, axis=1) >= 0) and np.all(distances[:, 0] == 0)
