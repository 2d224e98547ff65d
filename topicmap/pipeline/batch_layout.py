"""UMAP's optimisation in batch epochs: the same map on any number of threads.

umap-learn's optimiser moves points edge by edge, each move seeing the ones before it; on several
threads the moves race, so a seeded UMAP runs it on one thread, and that single thread is most of a
large job after embedding (docs/benchmarks.md, "Cores"). Here, as uwot's ``batch = TRUE`` does, every
epoch first computes each point's whole gradient from the positions at the start of the epoch, then
moves every point at once with Adam (β1 0.5, β2 0.9, as uwot). Each point's gradient is summed by
one thread over its own edges in a fixed order, and negative samples come from a counter-based
generator keyed by (seed, epoch, edge, sample): the numbers do not depend on how the points are
shared among threads, so the result is bit-for-bit the same on 1 core or 64.

The gradients are umap-learn's (``optimize_layout_euclidean``): attraction along sampled edges,
``epochs_per_sample`` from the edge weights, ``negative_sample_rate`` repulsive samples per edge
sample, clipped at 4, learning rate falling linearly to 0. The fuzzy graph, ``a``/``b`` and the
spectral start are umap-learn's own functions.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from topicmap.pipeline.batch_steps import (
    ADAM_BETA1,
    ADAM_BETA2,
    NEGATIVE_SAMPLE_RATE,
    Floats,
    Ints,
    point_adam_step,
    point_gradient,
)


@numba.njit(parallel=True, cache=True)
def _gradients(  # pragma: no cover - compiled
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
    """Each point's gradient from the positions at the start of ``epoch`` (one thread per point)."""
    for j in numba.prange(Y.shape[0]):
        point_gradient(
            j, Y, gradient, indptr, tail, epochs_per_sample, next_sample, epochs_per_negative, next_negative,
            epoch, a, b, seed,
        )  # fmt: skip


@numba.njit(parallel=True, cache=True)
def _adam_step(Y: Floats, gradient: Floats, first: Floats, second: Floats, step: int, rate: float) -> None:
    """Move every point at once: Adam on the epoch's gradients (bias-corrected)."""
    correction1 = 1.0 - ADAM_BETA1**step
    correction2 = 1.0 - ADAM_BETA2**step
    for j in numba.prange(Y.shape[0]):
        point_adam_step(j, Y, gradient, first, second, correction1, correction2, rate)


def optimise_in_batches(
    start: npt.NDArray[np.float32],
    graph: sp.coo_matrix,
    n_epochs: int,
    a: float,
    b: float,
    seed: int,
    learning_rate: float = 1.0,
    device: str = "cpu",
) -> npt.NDArray[np.float32]:
    """Optimise ``start`` (scaled to [0, 10]) against the fuzzy ``graph`` for ``n_epochs`` batch epochs,
    on the CPU's cores or, ``device="cuda"``, as CUDA kernels (topicmap/pipeline/gpu.py)."""
    from umap.umap_ import make_epochs_per_sample

    rows = graph.tocsr(copy=True)  # pruned below: the caller's graph stays whole
    rows.data[rows.data < rows.data.max() / n_epochs] = 0.0  # too weak to be sampled once (umap-learn)
    rows.eliminate_zeros()
    rows.sort_indices()
    weights = rows.data.astype(np.float64)
    epochs_per_sample = make_epochs_per_sample(weights, n_epochs).astype(np.float64)
    epochs_per_negative = epochs_per_sample / NEGATIVE_SAMPLE_RATE
    next_sample, next_negative = epochs_per_sample.copy(), epochs_per_negative.copy()
    Y = np.ascontiguousarray(start, dtype=np.float64)
    indptr, tail = rows.indptr.astype(np.int64), rows.indices.astype(np.int64)
    key = np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
    if device.startswith("cuda"):
        from topicmap.pipeline.gpu import run_epochs

        Y = run_epochs(Y, indptr, tail, epochs_per_sample, epochs_per_negative, n_epochs, a, b, key, learning_rate)
        return Y.astype(np.float32)
    gradient, first, second = np.zeros_like(Y), np.zeros_like(Y), np.zeros_like(Y)
    for epoch in range(n_epochs):
        _gradients(
            Y, gradient, indptr, tail, epochs_per_sample, next_sample, epochs_per_negative, next_negative,
            epoch, a, b, key,
        )  # fmt: skip
        _adam_step(Y, gradient, first, second, epoch + 1, learning_rate * (1.0 - epoch / n_epochs))
    return Y.astype(np.float32)


def fuzzy_graph(
    X: npt.NDArray[np.float32], knn_indices: npt.NDArray[np.int32], knn_distances: npt.NDArray[np.float32]
) -> sp.coo_matrix:
    """umap-learn's fuzzy simplicial set of a cosine kNN graph (no randomness with the kNN given)."""
    from umap.umap_ import fuzzy_simplicial_set

    fuzzy, _, _ = fuzzy_simplicial_set(
        X, knn_indices.shape[1], np.random.RandomState(0), "cosine", knn_indices=knn_indices, knn_dists=knn_distances
    )
    coo: sp.coo_matrix = fuzzy.tocoo()
    coo.sum_duplicates()
    return coo


def batch_umap(
    X: npt.NDArray[np.float32],
    fuzzy: sp.coo_matrix,
    *,
    n_components: int,
    min_dist: float,
    seed: int,
    n_epochs: int | None = None,
    init: npt.NDArray[np.float32] | None = None,
    device: str = "cpu",
) -> npt.NDArray[np.float32]:
    """UMAP of ``X`` from its fuzzy graph (:func:`fuzzy_graph`): umap-learn's start, batch epochs."""
    from umap.spectral import spectral_layout
    from umap.umap_ import find_ab_params, noisy_scale_coords

    random_state = np.random.RandomState(seed)
    n_epochs = n_epochs or (500 if len(X) <= 10_000 else 200)  # umap-learn's defaults
    if init is not None:
        start = np.asarray(init, dtype=np.float64)
    elif len(X) > 4 * n_components + 10:
        start = spectral_layout(X, fuzzy, n_components, random_state, metric="cosine")
        start = noisy_scale_coords(start, random_state, max_coord=10, noise=0.0001)
    else:
        start = random_state.uniform(low=-10.0, high=10.0, size=(len(X), n_components))
    low, high = start.min(axis=0), start.max(axis=0)
    start = 10.0 * (start - low) / np.where(high > low, high - low, 1.0)
    a, b = find_ab_params(1.0, min_dist)
    return optimise_in_batches(start.astype(np.float32), fuzzy, n_epochs, float(a), float(b), seed, device=device)
