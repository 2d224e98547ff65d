"""Several topics per document (topicmap/memberships.py): own topic first, then the closest; edits."""

from __future__ import annotations

import numpy as np

from tests.api.maps import small_map
from topicmap.memberships import follow_edit
from topicmap.pipeline.closest import closest_columns, top_topics
from topicmap.vectors import topic_centroids


def test_own_topic_first_then_the_closest_with_strengths_in_0_1() -> None:
    embeddings = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0.3, 0.95, 0], [0, 0, 1]], dtype=np.float32)
    topics = np.array([0, 0, 1, 1, 0, 2])
    tops, strengths = top_topics(embeddings, topics)
    assert tops[4][:2] == [0, 1]  # its own topic first, although topic 1 is closer
    assert strengths[4][1] > strengths[4][0]
    assert tops[5][0] == 2 and len(tops[5]) == 3
    assert all(0.0 <= s <= 1.0 for row in strengths for s in row)
    assert strengths[0][0] > 0.9


def full_sort_top_topics(embeddings: np.ndarray, topics: np.ndarray, k: int = 3) -> tuple[list, list]:
    """The rule spelled out: sort every topic per document (stable), own topic first."""
    ids, centroids = topic_centroids(embeddings, topics.tolist())
    similarity = np.clip(embeddings @ centroids.T, 0.0, 1.0)
    tops, strengths = [], []
    for row, own in enumerate(topics.tolist()):
        ranked = [ids[c] for c in np.argsort(-similarity[row], kind="stable")]
        chosen = ([own] if own in ids else []) + [t for t in ranked if t != own]
        tops.append(chosen[:k])
        strengths.append([round(float(similarity[row, ids.index(t)]), 3) for t in chosen[:k]])
    return tops, strengths


def test_the_partial_sort_keeps_the_stable_order_of_ties() -> None:
    rng = np.random.default_rng(3)
    for n_topics in (1, 2, 3, 4, 40):
        embeddings = rng.normal(size=(500, 8)).astype(np.float32)  # many strengths clip to 0: ties
        embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
        topics = rng.integers(-1, n_topics, 500)  # -1: kept outliers, no own topic
        assert top_topics(embeddings, topics) == full_sort_top_topics(embeddings, topics), n_topics
    similarity = np.array([[0.0, 1.0, 0.0, 0.0, 1.0], [0.1, 0.2, 0.3, 0.3, 0.3], [0.5, 0.5, 0.5, 0.5, 0.5]], np.float32)
    own = np.array([-1, 3, 2])
    assert closest_columns(similarity, own, 3).tolist() == [[1, 4, 0], [3, 2, 4], [2, 0, 1]]
    assert closest_columns(similarity[:, :2], own * 0 - 1, 3).tolist() == [[1, 0, -1], [1, 0, -1], [0, 1, -1]]


def test_an_edit_drops_topics_that_are_gone_and_puts_the_own_topic_first() -> None:
    topic_map, _ = small_map()
    docs = topic_map.documents
    docs.top_topics = [[t, 2, 1] if t >= 0 else [0, 1, 2] for t in docs.topic]
    docs.top_strengths = [[0.9, 0.5, 0.4] for _ in docs.topic]
    topic_map.topics = [t for t in topic_map.topics if t.id != 2]  # topic 2 merged into 0
    docs.topic = [0 if t == 2 else t for t in docs.topic]
    follow_edit(topic_map)
    assert all(2 not in row for row in docs.top_topics)
    assert all(row[0] == own for row, own in zip(docs.top_topics, docs.topic, strict=True) if own >= 0)
    assert docs.top_topics[6] == [0, 1] and docs.top_strengths[6] == [0.9, 0.4]  # it was in topic 2
