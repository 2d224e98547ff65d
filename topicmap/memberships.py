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
    the selection runs on every core (topicmap/pipeline/closest.py)."""
    import numpy as np

    from topicmap.pipeline.closest import closest_columns
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
        chosen = closest_columns(np.ascontiguousarray(similarity, dtype=np.float32), own_column, k)
        values = np.take_along_axis(similarity, np.maximum(chosen, 0), axis=1).tolist()
        if len(ids) > k:  # every row has k topics
            tops += np.asarray(ids)[chosen].tolist()
            strengths += [[round(value, 3) for value in row] for row in values]
            continue
        for picked, row_values in zip(chosen.tolist(), values, strict=True):  # fewer topics than k
            tops.append([ids[c] for c in picked if c >= 0])
            strengths.append([round(v, 3) for c, v in zip(picked, row_values, strict=True) if c >= 0])
    return tops, strengths


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
