"""The neighbour distances NN-descent's graph gets: exact cosine, nearest first, ties by index, any threads."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from topicmap.pipeline.cores import use_cores
from topicmap.pipeline.reduce import cosine_distances_to


def numpy_reference(
    X: npt.NDArray[np.float32], indices: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """The rule written with numpy: float64 products, one lexsort by (distance, index), clipped after."""
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    indices = np.where(indices < 0, np.arange(len(X))[:, None], indices)
    distances = 1.0 - np.einsum("ij,ikj->ik", unit.astype(np.float64), unit[indices].astype(np.float64))
    order = np.lexsort((indices, distances), axis=1)
    return np.take_along_axis(indices, order, axis=1), np.clip(np.take_along_axis(distances, order, axis=1), 0, 2)


def corpus() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(600, 24)).astype(np.float32)
    X[300:320] = X[0]  # exact copies: distances of 0 tie, the lower index first
    X[400] = -X[401]  # opposite: a distance of 2
    indices = rng.integers(0, len(X), size=(len(X), 9)).astype(np.int32)
    indices[:, 0] = np.arange(len(X))  # the point itself, as NN-descent returns it
    indices[0, 1:6] = np.arange(300, 305)
    indices[400, 3] = 401
    indices[5, 4] = -1  # a neighbour NN-descent did not find: the point itself stands in
    return X, indices


def test_distances_are_exact_cosine_sorted_nearest_first_ties_by_index() -> None:
    X, indices = corpus()
    found_indices, found = cosine_distances_to(X, indices)
    expected_indices, expected = numpy_reference(X, indices)
    assert found_indices.dtype == np.int32 and found.dtype == np.float32
    np.testing.assert_allclose(found, expected, atol=2e-6)
    assert np.all(np.diff(found, axis=1) >= 0)  # nearest first
    # the order is the reference's wherever two distances are not within float32 rounding of each other
    close = np.abs(np.diff(expected, axis=1)) < 1e-5
    apart = ~np.concatenate([np.zeros((len(X), 1), bool), close], axis=1) & ~np.concatenate(
        [close, np.zeros((len(X), 1), bool)], axis=1
    )
    assert np.array_equal(found_indices[apart], expected_indices[apart])
    copies = sorted(i for i in indices[0].tolist() if i == 0 or 300 <= i < 320)
    assert found_indices[0, : len(copies)].tolist() == copies  # copies tie: by index
    assert np.all(found[0, 1 : len(copies)] == found[0, 1]) and found[0, 1] < 1e-6  # the copies: one distance
    assert 2.0 - 1e-6 <= found[400, -1] <= 2.0 and found_indices[400, -1] == 401  # clipped at 2
    assert list(found_indices[5, :2]) == [5, 5] and found[5, 0] == found[5, 1] == 0.0
    itself = found_indices == np.arange(len(X))[:, None]
    assert np.all(found[itself] == 0.0)  # exactly: UMAP's nearest neighbour is the first distance above 0


def test_the_distances_do_not_depend_on_the_thread_count() -> None:
    X, indices = corpus()
    results = []
    for threads in (1, 2, 16):
        use_cores(threads)
        results.append(cosine_distances_to(X, indices))
    use_cores()
    for found_indices, found in results[1:]:
        assert np.array_equal(found_indices, results[0][0]) and np.array_equal(found, results[0][1])
