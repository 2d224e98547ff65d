"""Near-duplicate groups (topicmap/duplicates.py): from the kNN graph, largest first, representatives."""

from __future__ import annotations

import numpy as np

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.duplicates import describe_groups, duplicate_groups, representatives
from topicmap.pipeline.reduce import NeighbourGraph
from topicmap.pipeline.run import run_pipeline
from topicmap.render.exports import document_rows
from topicmap.schemas import PipelineParams


def test_pairs_above_the_threshold_form_groups_largest_first() -> None:
    indices = np.array([[0, 1, 2], [1, 0, 2], [2, 3, 0], [3, 2, 4], [4, 3, 0], [5, 0, 1]], dtype=np.int32)
    distances = np.array(
        [[0, 0.01, 0.5], [0, 0.01, 0.5], [0, 0.02, 0.6], [0, 0.02, 0.04], [0, 0.04, 0.5], [0, 0.5, 0.5]],
        dtype=np.float32,
    )
    group = duplicate_groups(indices, distances, threshold=0.95)
    assert group.tolist() == [1, 1, 0, 0, 0, -1]  # {2, 3, 4} is larger than {0, 1}; 5 is alone
    embeddings = np.eye(6, dtype=np.float32)
    embeddings[3] = (embeddings[2] + embeddings[3] + embeddings[4]) / np.sqrt(3)  # the middle one
    described = describe_groups(group, representatives(group, embeddings), ["a", "b", "c", "d", "e", "f"], 0.95)
    assert [(g.id, g.size, g.representative) for g in described.groups] == [(0, 3, "d"), (1, 2, "a")]


def test_a_map_groups_its_repeated_texts_and_exports_the_group() -> None:
    texts, _ = planted_corpus(30)
    texts[5] = texts[7] = texts[9]  # the same text three times
    ids = [f"d{i}" for i in range(len(texts))]
    topic_map = run_pipeline(texts, ids, PipelineParams(min_topic_size=5), encoder=HashingEncoder())
    group = topic_map.documents.duplicate_group
    assert group is not None and group[5] == group[7] == group[9] >= 0
    assert topic_map.duplicates is not None
    assert any(g.size >= 3 and g.representative in {"d5", "d7", "d9"} for g in topic_map.duplicates.groups)
    rows = list(document_rows(topic_map, texts))
    column = rows[0].index("duplicate_group")
    assert rows[6][column] == group[5] and rows[0][column - 1] == "text"


def test_no_group_below_the_threshold() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(100, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    graph = NeighbourGraph(n_neighbors=5).fit(vectors)
    assert (duplicate_groups(graph.indices_, graph.distances_) == -1).all()


def test_one_per_group_keeps_a_pile_of_copies_from_making_a_topic() -> None:
    texts, _ = planted_corpus(30)
    template = "your ticket was received an agent will reply soon thanks"
    # 16 copies: a pile of 12 joined its nearest topic on a third of the seeds and is now flagged there
    # (tests/core/pipeline/test_piles.py); 16 make a topic of their own on all 21 seeds tried.
    texts += [template] * 16
    copies_at = range(120, 136)
    ids = [f"d{i}" for i in range(len(texts))]
    plain = run_pipeline(texts, ids, PipelineParams(min_topic_size=5), encoder=HashingEncoder())
    copies = {plain.documents.topic[i] for i in copies_at}
    assert len(copies) == 1
    [pile] = copies
    size = plain.documents.topic.count(pile)
    assert pile >= 0 and 16 / size > 0.8  # a topic of its own, made of the copies
    collapsed = run_pipeline(
        texts, ids, PipelineParams(min_topic_size=5, one_per_duplicate_group=True), encoder=HashingEncoder()
    )
    topics = collapsed.documents.topic
    assert len({topics[i] for i in copies_at}) == 1  # the copies follow their representative
    theirs = topics[120]
    assert theirs == -1 or sum(t == theirs for t in topics) > 16  # into a real topic, not one of their own
    assert collapsed.documents.duplicate_group == plain.documents.duplicate_group
