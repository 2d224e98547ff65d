"""One point's share of a batch epoch (topicmap/pipeline/batch_layout.py): its gradient and its Adam
step, written once and compiled twice: for the CPU, where batch_layout.py runs them for every point
over numba's thread pool, and for the GPU, where topicmap/pipeline/gpu.py runs one CUDA thread per
point. The same code, so the same numbers."""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

ADAM_BETA1 = 0.5
ADAM_BETA2 = 0.9
ADAM_EPSILON = 1e-7
NEGATIVE_SAMPLE_RATE = 5
GRADIENT_CLIP = 4.0
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# splitmix64's multipliers: the counter-based generator of negative samples
SPLITMIX_M1 = np.uint64(0xBF58476D1CE4E5B9)
SPLITMIX_M2 = np.uint64(0x94D049BB133111EB)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(cache=True, inline="always")
def _mix(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """splitmix64's finaliser: a well-spread 64-bit hash of a counter."""
    x = (x ^ (x >> np.uint64(30))) * SPLITMIX_M1
    x = (x ^ (x >> np.uint64(27))) * SPLITMIX_M2
    return x ^ (x >> np.uint64(31))


@numba.njit(cache=True, inline="always")
def _random_vertex(seed: np.uint64, epoch: int, edge: int, sample: int, n_vertices: int) -> int:  # pragma: no cover
    key = _mix(seed + GOLDEN * np.uint64(epoch + 1))
    key = _mix(key + GOLDEN * np.uint64(edge + 1))
    key = _mix(key + GOLDEN * np.uint64(sample + 1))
    return int(key % np.uint64(n_vertices))


@numba.njit(cache=True, inline="always")
def _clip(value: float) -> float:  # pragma: no cover - compiled
    return min(max(value, -GRADIENT_CLIP), GRADIENT_CLIP)


@numba.njit(cache=True, inline="always")
def point_gradient(  # pragma: no cover - compiled
    j: int,
    Y: Floats,
    gradient: Floats,
    indptr: Ints,
    tail: Ints,
    epochs_per_sample: Floats,
    next_sample: Floats,
    epochs_per_negative: Floats,
    next_negative: Floats,
    epoch: int,
    a: float,
    b: float,
    seed: np.uint64,
) -> None:
    """Point ``j``'s gradient from the positions at the start of ``epoch``, summed over its own edges."""
    n_vertices, dim = Y.shape
    for d in range(dim):
        gradient[j, d] = 0.0
    for edge in range(indptr[j], indptr[j + 1]):
        if next_sample[edge] > epoch:
            continue
        k = tail[edge]
        # written out twice, not a helper taking Y: in numba's CUDA simulator (the CI's GPU test) this
        # function runs as Python and an njit helper cannot take the simulator's device arrays
        dist2 = 0.0
        for d in range(dim):
            diff = Y[j, d] - Y[k, d]
            dist2 += diff * diff
        if dist2 > 0.0:
            coefficient = -2.0 * a * b * dist2 ** (b - 1.0) / (a * dist2**b + 1.0)
            for d in range(dim):  # twice: umap-learn moves both ends of the edge and of its twin (k, j)
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
                coefficient = 2.0 * b / ((0.001 + dist2) * (a * dist2**b + 1.0))
                for d in range(dim):
                    gradient[j, d] += _clip(coefficient * (Y[j, d] - Y[k, d]))
        next_negative[edge] += n_negative * epochs_per_negative[edge]


@numba.njit(cache=True, inline="always")
def point_adam_step(  # pragma: no cover - compiled
    j: int,
    Y: Floats,
    gradient: Floats,
    first: Floats,
    second: Floats,
    correction1: float,
    correction2: float,
    rate: float,
) -> None:
    """Move point ``j``: Adam on its gradient, bias-corrected by ``correction1`` and ``correction2``."""
    for d in range(Y.shape[1]):
        g = gradient[j, d]
        first[j, d] = ADAM_BETA1 * first[j, d] + (1.0 - ADAM_BETA1) * g
        second[j, d] = ADAM_BETA2 * second[j, d] + (1.0 - ADAM_BETA2) * g * g
        Y[j, d] += rate * (first[j, d] / correction1) / (math.sqrt(second[j, d] / correction2) + ADAM_EPSILON)
