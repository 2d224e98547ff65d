"""Search by meaning: a query's embedding against a map's document embeddings and topic centroids.

numpy only. The query is embedded by the query worker (queue ``queries``: api/queue.py) with the
model the map was made with; the documents' embeddings are those the worker stored with the corpus
(worker/vectors.py), kept parsed in the API process (api/cache.py) so a query costs one matrix-vector
product.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def nearest(
    vectors: npt.NDArray[np.float32], query: npt.NDArray[np.float32], limit: int
) -> tuple[list[int], list[float]]:
    """Rows of the ``limit`` vectors most similar to ``query`` (cosine: all are L2-normalised),
    best first, and their similarities."""
    scores = vectors @ query
    limit = min(limit, len(scores))
    if limit <= 0:
        return [], []
    top = np.argpartition(-scores, limit - 1)[:limit]
    top = top[np.lexsort((top, -scores[top]))]
    return top.tolist(), [round(float(scores[i]), 4) for i in top]


def topic_centroids(
    vectors: npt.NDArray[np.float32], topics: Sequence[int]
) -> tuple[list[int], npt.NDArray[np.float32]]:
    """Each topic's (not -1) mean embedding, L2-normalised, in topic id order."""
    labels = np.asarray(topics)
    ids = sorted(int(t) for t in set(labels.tolist()) if t >= 0)
    centroids = np.stack([vectors[labels == t].mean(axis=0) for t in ids]) if ids else np.zeros((0, vectors.shape[1]))
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    return ids, np.asarray(centroids / np.where(norms > 0, norms, 1), dtype=np.float32)
