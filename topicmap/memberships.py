"""Several topics per document: each document's own topic and the next closest ones, with strengths.

A document's strength for a topic is the cosine similarity of its embedding to the topic's centroid
(the normalised mean embedding of the topic's documents), clipped to [0, 1]. Its own topic comes
first (with its strength), then the ``TOP_K - 1`` other topics with the highest strengths. Chosen over
the share of a document's nearest neighbours in each topic: docs/pipeline.md, "Several topics per
document", has the measurement. Stored in the map as ``documents.top_topics`` and
``documents.top_strengths`` (rows of up to three).

Edits keep them consistent (``follow_edit``): a topic that no longer exists (merged, split, emptied)
leaves the lists, and a document's own topic is always first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from topicmap.schemas import TopicMap

TOP_K = 3
CHUNK = 20_000


def top_topics(
    embeddings: npt.NDArray[np.float32], topics: npt.NDArray[np.int64], k: int = TOP_K
) -> tuple[list[list[int]], list[list[float]]]:
    """For each document (embeddings L2-normalised), its own topic then the closest others, and strengths.

    Ties (strengths clipped to 0 are many) go to the topic listed first, as a stable sort would do;
    the closest others come from a partial sort (a million documents × 4,000 topics: a full sort per
    document took most of the time of building a map)."""
    import numpy as np

    from topicmap.vectors import topic_centroids

    ids, centroids = topic_centroids(embeddings, topics.tolist())
    if not ids:
        return [[] for _ in topics], [[] for _ in topics]
    column = {topic: i for i, topic in enumerate(ids)}
    tops: list[list[int]] = []
    strengths: list[list[float]] = []
    for start in range(0, len(embeddings), CHUNK):  # bounded memory: a chunk × topics at a time
        similarity = np.clip(embeddings[start : start + CHUNK] @ centroids.T, 0.0, 1.0)
        own_column = np.array([column.get(int(t), -1) for t in topics[start : start + CHUNK]], dtype=np.intp)
        key = -similarity
        has_own = own_column >= 0
        key[np.flatnonzero(has_own), own_column[has_own]] = np.inf  # the own topic leads; never among the others
        ranked = stable_smallest(key, min(k, len(ids)))
        if len(ids) > k:  # k columns per row: own topic (where there is one) and the closest others
            with_own = np.column_stack([own_column, ranked[:, : k - 1]])
            chosen = np.where(has_own[:, None], with_own, ranked)
            tops += np.asarray(ids)[chosen].tolist()
            values = np.take_along_axis(similarity, chosen, axis=1).tolist()
            strengths += [[round(value, 3) for value in row] for row in values]
            continue
        for row, (own, others) in enumerate(zip(own_column.tolist(), ranked.tolist(), strict=True)):
            picked = ([own] + [c for c in others if c != own])[:k] if own >= 0 else others[:k]
            tops.append([ids[c] for c in picked])
            strengths.append([round(float(similarity[row, c]), 3) for c in picked])
    return tops, strengths


def stable_smallest(key: npt.NDArray[np.floating], k: int) -> npt.NDArray[np.intp]:
    """Per row, the columns of the ``k`` smallest keys in the order a stable sort gives (ties: lower
    column first), without sorting whole rows."""
    import numpy as np

    if k >= key.shape[1]:
        return np.argsort(key, axis=1, kind="stable")[:, :k]
    candidates = np.argpartition(key, k - 1, axis=1)[:, :k]
    bound = np.take_along_axis(key, candidates, axis=1).max(axis=1, keepdims=True)
    below = key < bound  # fewer than k per row; the rest are the first columns equal to the bound
    at_bound = key == bound
    wanted = k - below.sum(axis=1)
    chosen = below | at_bound
    crowded = np.flatnonzero(at_bound.sum(axis=1) > wanted)  # more ties at the bound than places left
    first_ties = np.cumsum(at_bound[crowded], axis=1) <= wanted[crowded, None]
    chosen[crowded] = below[crowded] | (at_bound[crowded] & first_ties)
    columns = np.nonzero(chosen)[1].reshape(len(key), k)  # k per row, in column order
    order = np.argsort(np.take_along_axis(key, columns, axis=1), axis=1, kind="stable")
    return np.take_along_axis(columns, order, axis=1)


def follow_edit(topic_map: TopicMap) -> None:
    """Keep ``top_topics`` true to an edited map: topics that are gone leave, the own topic leads."""
    docs = topic_map.documents
    if docs.top_topics is None or docs.top_strengths is None:
        return
    live = {t.id for t in topic_map.topics if t.id >= 0}
    tops, strengths = [], []
    for own, old, weights in zip(docs.topic, docs.top_topics, docs.top_strengths, strict=True):
        pairs = [(t, s) for t, s in zip(old, weights, strict=True) if t in live and t != own]
        if own >= 0:
            mine = dict(zip(old, weights, strict=True)).get(own, weights[0] if weights else 0.0)
            pairs = [(own, mine), *pairs]
        tops.append([t for t, _ in pairs[:TOP_K]])
        strengths.append([s for _, s in pairs[:TOP_K]])
    docs.top_topics, docs.top_strengths = tops, strengths
