"""Each document's closest topics, chosen on every core: the selection behind ``documents.top_topics``
(topicmap/memberships.py).

A sort per document of its similarity to every topic cost most of building a map at scale (a million
documents × 4,000 topics). One pass over each row keeps the best few instead, in parallel over rows;
the order is that of a stable sort by descending similarity (ties: the lower column first).
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt


@numba.njit(parallel=True, cache=True)
def closest_columns(
    similarity: npt.NDArray[np.float32], own_column: npt.NDArray[np.intp], k: int
) -> npt.NDArray[np.int64]:  # pragma: no cover - compiled; tested through its results
    """Per row: ``own_column`` first where it is >= 0, then the most similar other columns, ``k`` in
    all (-1 where a row has fewer columns)."""
    n, columns = similarity.shape
    chosen = np.full((n, k), -1, dtype=np.int64)
    for row in numba.prange(n):
        own = own_column[row]
        first = 0
        if own >= 0:
            chosen[row, 0] = own
            first = 1
        filled = first
        for column in range(columns):
            if column == own:
                continue
            value = similarity[row, column]
            if filled < k:
                place = filled
                filled += 1
            elif value > similarity[row, chosen[row, k - 1]]:  # strictly: an equal later column waits
                place = k - 1
            else:
                continue
            while place > first and value > similarity[row, chosen[row, place - 1]]:
                chosen[row, place] = chosen[row, place - 1]
                place -= 1
            chosen[row, place] = column
    return chosen
