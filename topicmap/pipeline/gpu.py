"""The stages after embedding on a CUDA GPU: the exact kNN graph and the batch optimiser.

On a GPU worker the large-corpus path (above 50,000 documents) builds its neighbour graph exactly,
by blocked similarity products in torch on the GPU (the CPU path uses EVoC's NN-descent), and runs
both UMAP projections' batch epochs (topicmap/pipeline/batch_layout.py) as CUDA kernels: one
thread per point runs the CPU optimiser's own per-point code (batch_steps.py) compiled for the GPU,
summing that point's gradient over its own edges in a fixed order, so a seeded map is the same from
run to run on the GPU (no atomics, no race) and follows the CPU optimiser step for step
(tests/core/pipeline/test_gpu.py checks the kernels against it in numba's CUDA simulator). The
fuzzy graph, HDBSCAN and the labels stay on the CPU.

Whether they run there: topicmap/pipeline/cores.py::stages_device (``TOPICMAP_GPU_STAGES``).
"""

from __future__ import annotations

import numpy as np
from numba import config, cuda

from topicmap.pipeline.batch_steps import ADAM_BETA1, ADAM_BETA2, Floats, Ints, point_adam_step, point_gradient

THREADS_PER_BLOCK = 128
# numba's CUDA simulator runs kernels as Python, one thread each, and hands them arrays that compiled
# CPU code cannot take: there the kernels call the steps' Python code; on a GPU, the steps compiled for it.
_point_gradient = point_gradient.py_func if config.ENABLE_CUDASIM else point_gradient
_point_adam_step = point_adam_step.py_func if config.ENABLE_CUDASIM else point_adam_step


@cuda.jit
def _gradients(  # pragma: no cover - compiled
    Y, gradient, indptr, tail, epochs_per_sample, next_sample, epochs_per_negative, next_negative, epoch, a, b, seed
):
    """batch_layout._gradients, one CUDA thread per point (batch_steps.point_gradient compiled for the GPU)."""
    j = cuda.grid(1)
    if j < Y.shape[0]:
        _point_gradient(
            j, Y, gradient, indptr, tail, epochs_per_sample, next_sample, epochs_per_negative, next_negative,
            epoch, a, b, seed,
        )  # fmt: skip


@cuda.jit
def _adam_step(Y, gradient, first, second, correction1, correction2, rate):  # pragma: no cover - compiled
    """batch_layout._adam_step, one CUDA thread per point."""
    j = cuda.grid(1)
    if j < Y.shape[0]:
        _point_adam_step(j, Y, gradient, first, second, correction1, correction2, rate)


def run_epochs(
    Y: Floats,
    indptr: Ints,
    tail: Ints,
    epochs_per_sample: Floats,
    epochs_per_negative: Floats,
    n_epochs: int,
    a: float,
    b: float,
    seed: np.uint64,
    learning_rate: float,
) -> Floats:
    """batch_layout.optimise_in_batches' epochs on the GPU; returns the optimised ``Y``."""
    on_device = [cuda.to_device(np.ascontiguousarray(array)) for array in (Y, indptr, tail, epochs_per_sample)]
    y, indptr_d, tail_d, per_sample = on_device
    per_negative = cuda.to_device(epochs_per_negative)
    next_sample, next_negative = cuda.to_device(epochs_per_sample.copy()), cuda.to_device(epochs_per_negative.copy())
    gradient, first, second = (cuda.to_device(np.zeros_like(Y)) for _ in range(3))
    blocks = (len(Y) + THREADS_PER_BLOCK - 1) // THREADS_PER_BLOCK
    for epoch in range(n_epochs):
        _gradients[blocks, THREADS_PER_BLOCK](
            y, gradient, indptr_d, tail_d, per_sample, next_sample, per_negative, next_negative, epoch, a, b, seed
        )
        step = epoch + 1
        _adam_step[blocks, THREADS_PER_BLOCK](
            y, gradient, first, second, 1.0 - ADAM_BETA1**step, 1.0 - ADAM_BETA2**step,
            learning_rate * (1.0 - epoch / n_epochs),
        )  # fmt: skip
    return np.asarray(y.copy_to_host(), dtype=np.float64)
