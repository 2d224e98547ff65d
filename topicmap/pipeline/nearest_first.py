"""Cosine distances to the neighbours NN-descent found, each row sorted nearest first, on every core.

EVoC's NN-descent returns neighbours with distances of its own making; the graph UMAP and the
duplicate groups read needs exact cosine distances, nearest first, ties by index. Done with numpy
(products by ``einsum``, a ``lexsort`` of the whole index array) that took ~0.9 s at 100,000
documents on one thread whatever the cores; here each row is one parallel task: its dot products,
then an insertion sort of its ``k`` neighbours. A row's numbers do not depend on the thread count.

The point itself comes first at a distance of exactly 0, as on the exact path (topicmap/pipeline/reduce.py):
computed, it came out a rounding error above 0 in some rows (8% of a million with this kernel, 28%
with numpy's), and UMAP takes the first distance above 0 as the point's nearest neighbour
(``rho``), so those rows had a nearest neighbour at ~1e-7 and weaker edges to their real ones.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt


@numba.njit(parallel=True, cache=True, fastmath={"reassoc", "contract"})  # the dot products vectorise
def sorted_cosine_distances(
    unit: npt.NDArray[np.float32], indices: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:  # pragma: no cover - compiled; tested through its results
    """Per row ``i`` of unit-length ``unit``: ``1 - unit[i] · unit[j]`` for each ``j`` in ``indices[i]``
    (clipped to [0, 2] after sorting; ``i`` itself first, at exactly 0), the neighbours and distances
    sorted by distance then index."""
    n, k = indices.shape
    dims = unit.shape[1]
    sorted_indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for row in numba.prange(n):
        for slot in range(k):
            neighbour = indices[row, slot]
            distance = np.float32(-1.0)  # the point itself: first, and exactly 0 once clipped (the exact path's rule)
            if neighbour != row:
                product = np.float32(0.0)
                for d in range(dims):
                    product += unit[row, d] * unit[neighbour, d]
                distance = np.float32(1.0) - product
            place = slot
            while place > 0 and (
                distances[row, place - 1] > distance
                or (distances[row, place - 1] == distance and sorted_indices[row, place - 1] > neighbour)
            ):
                distances[row, place] = distances[row, place - 1]
                sorted_indices[row, place] = sorted_indices[row, place - 1]
                place -= 1
            distances[row, place] = distance
            sorted_indices[row, place] = neighbour
        for slot in range(k):  # clipped once sorted: the point itself (at most 0) stays ahead of a copy (0)
            distances[row, slot] = min(max(distances[row, slot], np.float32(0.0)), np.float32(2.0))
    return sorted_indices, distances
