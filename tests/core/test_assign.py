"""Assigning new documents to a fitted map (topicmap/assign.py)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.metrics import normalized_mutual_info_score

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.assign import Assigned, MapModel, added_map, assign_documents, assignment_rows
from topicmap.corpus import corpus_from_documents
from topicmap.pipeline.label import terms_in
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams, TopicMap
from topicmap.terms import TermTable

TABLES: list[TermTable] = []


@pytest.fixture(scope="module")
def halves() -> tuple[TopicMap, npt.NDArray[np.float32], list[str], list[int], list[str], list[int]]:
    texts, labels = planted_corpus(60)
    order = np.random.default_rng(0).permutation(len(texts))
    fit_rows, new_rows = order[: len(order) // 2], order[len(order) // 2 :]
    fitted: list[npt.NDArray[np.float32]] = []
    topic_map = run_pipeline(
        [texts[i] for i in fit_rows],
        [f"d{i}" for i in fit_rows],
        PipelineParams(),
        encoder=HashingEncoder(),
        on_embedded=fitted.append,
        on_terms=TABLES.append,
    )
    return (
        topic_map,
        fitted[0],
        [texts[i] for i in new_rows],
        [labels[i] for i in new_rows],
        [texts[i] for i in fit_rows],
        [labels[i] for i in fit_rows],
    )


def test_the_assigned_half_agrees_with_its_labels_as_well_as_the_fitted_half(halves: tuple) -> None:  # type: ignore[type-arg]
    topic_map, embeddings, new_texts, new_labels, _, fit_labels = halves
    model = MapModel.of(topic_map, embeddings)
    vectors = HashingEncoder().encode(new_texts)
    assigned = assign_documents(model, vectors)
    fitted_nmi = normalized_mutual_info_score(fit_labels, topic_map.documents.topic)
    assigned_nmi = normalized_mutual_info_score(new_labels, assigned.topic)
    assert assigned_nmi >= fitted_nmi - 0.02, (assigned_nmi, fitted_nmi)
    assert set(assigned.topic) <= {t.id for t in topic_map.topics if t.id >= 0}

    # Each new document lands among the map documents of its topic.
    xs, ys = np.asarray(topic_map.documents.x), np.asarray(topic_map.documents.y)
    topics = np.asarray(topic_map.documents.topic)
    for topic, x, y in zip(assigned.topic, assigned.x, assigned.y, strict=True):
        distances = np.hypot(xs - x, ys - y)
        assert topics[np.argmin(distances)] == topic


def test_far_documents_are_outliers_and_rows_carry_labels(halves: tuple) -> None:  # type: ignore[type-arg]
    topic_map, embeddings, new_texts, *_ = halves
    model = MapModel.of(topic_map, embeddings)
    far = np.random.default_rng(1).normal(size=(3, embeddings.shape[1])).astype(np.float32)
    far /= np.linalg.norm(far, axis=1, keepdims=True)
    near = HashingEncoder().encode(new_texts[:20])
    assigned = assign_documents(model, np.vstack([near, far]))
    assert assigned.outlier[-3:] == [True, True, True]
    assert sum(assigned.outlier[:20]) <= 5  # most documents like the map's are not far from every topic
    rows = assignment_rows(topic_map, [f"n{i}" for i in range(23)], assigned, [*new_texts[:20], "a", "b", "c"])
    labels = {t.id: t.label for t in topic_map.topics}
    assert rows[0]["label"] == labels[rows[0]["topic"]] and set(rows[0]) == {
        "id",
        "topic",
        "label",
        "score",
        "outlier",
        "x",
        "y",
        "text",
    }
    with pytest.raises(ValueError, match="do not match"):
        MapModel.of(topic_map, embeddings[:-1])


def test_added_documents_join_their_topics_in_the_next_version(halves: tuple) -> None:  # type: ignore[type-arg]
    topic_map, embeddings, new_texts, *_ = halves
    table = TABLES[0]
    assert table.presence is not None
    assigned = assign_documents(MapModel.of(topic_map, embeddings), HashingEncoder().encode(new_texts))
    assigned.outlier[0] = True  # one far document: not a core member of its topic
    first = assigned.topic[0]
    topic_map.topics[[t.id for t in topic_map.topics].index(first)].named_by = "person"
    person_label = next(t.label for t in topic_map.topics if t.id == first)
    ids = [f"new{i}" for i in range(len(new_texts))]
    presence = terms_in(new_texts, table.vocabulary)
    added, new_table = added_map(topic_map, ids, assigned, table, presence)

    n = len(topic_map.documents.id)
    assert added.documents.id == topic_map.documents.id + ids and added.meta.n_documents == n + len(ids)
    assert added.documents.topic[n:] == assigned.topic and added.documents.x[n:] == assigned.x
    before = {t.id: t.size for t in topic_map.topics}
    for topic in added.topics:
        assert topic.size == before[topic.id] + assigned.topic.count(topic.id)
    assert sum(t.size for t in added.topics) == len(added.documents.id)
    assert next(t.label for t in added.topics if t.id == first) == person_label  # a person's label stays
    assert topic_map.meta.n_documents == n  # the version it came from is unchanged

    # Core members' terms join their topic's counts; the outlier's do not.
    assert new_table is not None and new_table.presence is not None
    assert new_table.presence.shape[0] == len(added.documents.id)
    row = table.topic_ids.index(first)
    members = [i for i, t in enumerate(assigned.topic) if t == first and not assigned.outlier[i]]
    expected = table.counts[row].toarray() + presence[members].sum(axis=0)
    assert (new_table.counts[row].toarray() == expected).all()
    if added.hierarchy is not None:
        root = next(node for node in added.hierarchy.nodes if node.level == "root")
        assert root.size == len(added.documents.id)

    with pytest.raises(ValueError, match="already has a document"):
        added_map(topic_map, [topic_map.documents.id[0]], Assigned([first], [0.9], [False], [0.0], [0.0]))


def test_documents_without_ids_are_numbered_after_the_map() -> None:
    corpus = corpus_from_documents(["a", {"text": "b", "id": "5"}, "c"], min_documents=1)
    assert corpus.ids == ["0", "5", "2"] and corpus.numbered == [0, 2]
    corpus.number_after({"0", "1", "2", "3"})
    assert corpus.ids == ["4", "5", "6"]  # "5" was given in the request: kept, and skipped
