"""The batch-epoch UMAP optimiser: the same result on any number of threads, and a real layout."""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.sparse as sp

from topicmap.pipeline.batch_layout import batch_umap, optimise_in_batches
from topicmap.pipeline.batch_steps import _random_vertex
from topicmap.pipeline.cores import use_cores

TWO_CORES = len(os.sched_getaffinity(0)) >= 2


def two_groups(n: int = 400, seed: int = 0) -> tuple[sp.coo_matrix, np.ndarray]:
    """A symmetric weighted graph of two groups, each point joined to 8 others of its own group."""
    rng = np.random.default_rng(seed)
    group = np.arange(n) % 2
    rows, cols = [], []
    for i in range(n):
        mates = np.flatnonzero(group == group[i])
        for j in rng.choice(mates[mates != i], 8, replace=False):
            rows.append(i)
            cols.append(j)
    graph = sp.coo_matrix((rng.uniform(0.2, 1.0, len(rows)), (rows, cols)), shape=(n, n))
    graph = graph.maximum(graph.T).tocoo()
    return graph, group


def test_points_joined_by_edges_end_up_together() -> None:
    graph, group = two_groups()
    start = (np.random.default_rng(1).random((len(group), 2)) * 10).astype(np.float32)
    layout = optimise_in_batches(start, graph, 200, 1.58, 0.9, seed=42)
    assert layout.shape == start.shape and layout.dtype == np.float32 and np.isfinite(layout).all()
    centres = np.stack([layout[group == g].mean(axis=0) for g in (0, 1)])
    spread = max(np.linalg.norm(layout[group == g] - centres[g], axis=1).mean() for g in (0, 1))
    assert np.linalg.norm(centres[0] - centres[1]) > 3 * spread  # two separate blobs, not one cloud


@pytest.mark.skipif(not TWO_CORES, reason="needs two cores to compare one thread with two")
def test_the_same_layout_on_one_thread_and_on_two() -> None:
    graph, group = two_groups(n=3000)
    start = (np.random.default_rng(2).random((len(group), 5)) * 10).astype(np.float32)
    layouts = []
    for threads in (1, 2, 2):
        use_cores(threads)
        layouts.append(optimise_in_batches(start, graph, 50, 1.9, 0.8, seed=7))
    use_cores()
    np.testing.assert_array_equal(layouts[0], layouts[1])
    np.testing.assert_array_equal(layouts[1], layouts[2])
    assert not np.array_equal(layouts[0], optimise_in_batches(start, graph, 50, 1.9, 0.8, seed=8))  # the seed counts


def test_negative_samples_cover_every_vertex_evenly() -> None:
    n_vertices = 50
    draws = [_random_vertex(np.uint64(3), epoch, edge, sample, n_vertices)
             for epoch in range(20) for edge in range(100) for sample in range(5)]  # fmt: skip
    counts = np.bincount(draws, minlength=n_vertices)
    assert len(counts) == n_vertices and counts.min() > 0.8 * counts.mean() and counts.max() < 1.2 * counts.mean()


def test_batch_umap_projects_points_from_their_neighbour_graph() -> None:
    from topicmap.pipeline.reduce import NeighbourGraph

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 32))
    X = (centres[np.arange(800) % 4] + 0.3 * rng.normal(size=(800, 32))).astype(np.float32)
    graph = NeighbourGraph().fit(X)
    for start in (None, (rng.random((800, 3)) * 10).astype(np.float32)):  # spectral, or a given start
        projected = batch_umap(X, graph.fuzzy(X), n_components=3, min_dist=0.0, seed=1, init=start)
        assert projected.shape == (800, 3)
        nearest = np.argsort(((projected[:, None] - projected[None]) ** 2).sum(-1), axis=1)[:, 1:11]
        assert ((nearest % 4) == (np.arange(800) % 4)[:, None]).mean() > 0.95
