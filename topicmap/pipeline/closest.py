"""Each document's closest topics, chosen on every core: ``documents.top_topics`` and
``documents.top_strengths`` (what they mean, and how edits keep them: topicmap/memberships.py).

A sort per document of its similarity to every topic cost most of building a map at scale (a million
documents × 4,000 topics). One pass over each row keeps the best few instead, in parallel over rows;
the order is that of a stable sort by descending similarity (ties: the lower column first).
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from topicmap.memberships import TOP_K
from topicmap.pipeline.assemble import rounded
from topicmap.vectors import topic_centroids

CHUNK = 20_000


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


def top_topics(
    embeddings: npt.NDArray[np.float32], topics: npt.NDArray[np.int64], k: int = TOP_K
) -> tuple[list[list[int]], list[list[float]]]:
    """For each document (embeddings L2-normalised), its own topic then the closest others, and strengths.

    Ties (strengths clipped to 0 are many) go to the topic listed first, as a stable sort would do;
    the selection runs on every core (topicmap/pipeline/closest.py)."""
    ids, centroids = topic_centroids(embeddings, topics)
    if not ids:
        return [[] for _ in topics], [[] for _ in topics]
    sorted_ids = np.asarray(ids, dtype=np.int64)  # ascending: a topic's column by binary search
    at = np.minimum(np.searchsorted(sorted_ids, topics), len(ids) - 1)
    own_columns = np.where(sorted_ids[at] == topics, at, -1).astype(np.intp)  # -1: no topic
    tops: list[list[int]] = []
    strengths: list[list[float]] = []
    for start in range(0, len(embeddings), CHUNK):  # bounded memory: a chunk × topics at a time
        similarity = np.clip(embeddings[start : start + CHUNK] @ centroids.T, 0.0, 1.0)
        own_column = own_columns[start : start + CHUNK]
        chosen = closest_columns(np.ascontiguousarray(similarity, dtype=np.float32), own_column, k)
        values = rounded(np.take_along_axis(similarity, np.maximum(chosen, 0), axis=1), 3)
        if len(ids) > k:  # every row has k topics
            tops += sorted_ids[chosen].tolist()
            strengths += values
            continue
        for picked, row_values in zip(chosen.tolist(), values, strict=True):  # fewer topics than k
            tops.append([ids[c] for c in picked if c >= 0])
            strengths.append([v for c, v in zip(picked, row_values, strict=True) if c >= 0])
    return tops, strengths
