"""The stages after embedding on a CUDA GPU: the exact kNN graph and the batch optimiser.

On a GPU worker the large-corpus path (above 50,000 documents) builds its neighbour graph exactly,
by blocked similarity products in torch on the GPU (the CPU path uses EVoC's NN-descent), and runs
both UMAP projections' batch epochs (topicmap/pipeline/batch_layout.py) as CUDA kernels: one
thread per point sums that point's gradient over its own edges in a fixed order, with the CPU
path's counter-based negative samples, so a seeded map is the same from run to run on the GPU
(no atomics, no race) and follows the CPU optimiser step for step (tests/core/pipeline/test_gpu.py
checks the kernels against it in numba's CUDA simulator). The fuzzy graph, HDBSCAN and the labels
stay on the CPU.

Whether they run there: topicmap/pipeline/cores.py::stages_device (``TOPICMAP_GPU_STAGES``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from topicmap.pipeline.batch_constants import (
    ADAM_BETA1,
    ADAM_BETA2,
    ADAM_EPSILON,
    GOLDEN,
    GRADIENT_CLIP,
    SPLITMIX_M1,
    SPLITMIX_M2,
    Floats,
    Ints,
)

THREADS_PER_BLOCK = 128

# The three helpers below are batch_layout.py's CPU ones compiled for the GPU: the same numbers.


@cuda.jit(device=True)
def _mix(x):  # pragma: no cover - compiled
    x = (x ^ (x >> np.uint64(30))) * SPLITMIX_M1
    x = (x ^ (x >> np.uint64(27))) * SPLITMIX_M2
    return x ^ (x >> np.uint64(31))


@cuda.jit(device=True)
def _random_vertex(seed, epoch, edge, sample, n_vertices):  # pragma: no cover - compiled
    key = _mix(seed + GOLDEN * np.uint64(epoch + 1))
    key = _mix(key + GOLDEN * np.uint64(edge + 1))
    key = _mix(key + GOLDEN * np.uint64(sample + 1))
    return int(key % np.uint64(n_vertices))


@cuda.jit(device=True)
def _clip(value):  # pragma: no cover - compiled
    return min(max(value, -GRADIENT_CLIP), GRADIENT_CLIP)


@cuda.jit
def _gradients(  # pragma: no cover - compiled
    Y, gradient, indptr, tail, epochs_per_sample, next_sample, epochs_per_negative, next_negative, epoch, a, b, seed
):
    """batch_layout._gradients, one CUDA thread per point."""
    j = cuda.grid(1)
    if j >= Y.shape[0]:
        return
    n_vertices, dim = Y.shape
    for d in range(dim):
        gradient[j, d] = 0.0
    for edge in range(indptr[j], indptr[j + 1]):
        if next_sample[edge] > epoch:
            continue
        k = tail[edge]
        dist2 = 0.0
        for d in range(dim):
            diff = Y[j, d] - Y[k, d]
            dist2 += diff * diff
        if dist2 > 0.0:
            coefficient = -2.0 * a * b * math.pow(dist2, b - 1.0) / (a * math.pow(dist2, b) + 1.0)
            for d in range(dim):
                gradient[j, d] += 2.0 * _clip(coefficient * (Y[j, d] - Y[k, d]))
        next_sample[edge] += epochs_per_sample[edge]
        n_negative = int((epoch - next_negative[edge]) / epochs_per_negative[edge])
        for sample in range(n_negative):
            k = _random_vertex(seed, epoch, edge, sample, n_vertices)
            if k == j:
                continue
            dist2 = 0.0
            for d in range(dim):
                diff = Y[j, d] - Y[k, d]
                dist2 += diff * diff
            if dist2 > 0.0:
                coefficient = 2.0 * b / ((0.001 + dist2) * (a * math.pow(dist2, b) + 1.0))
                for d in range(dim):
                    gradient[j, d] += _clip(coefficient * (Y[j, d] - Y[k, d]))
        next_negative[edge] += n_negative * epochs_per_negative[edge]


@cuda.jit
def _adam_step(Y, gradient, first, second, correction1, correction2, rate):  # pragma: no cover - compiled
    """batch_layout._adam_step, one CUDA thread per point."""
    j = cuda.grid(1)
    if j >= Y.shape[0]:
        return
    for d in range(Y.shape[1]):
        g = gradient[j, d]
        first[j, d] = ADAM_BETA1 * first[j, d] + (1.0 - ADAM_BETA1) * g
        second[j, d] = ADAM_BETA2 * second[j, d] + (1.0 - ADAM_BETA2) * g * g
        Y[j, d] += rate * (first[j, d] / correction1) / (math.sqrt(second[j, d] / correction2) + ADAM_EPSILON)


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
