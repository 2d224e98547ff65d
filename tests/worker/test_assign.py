"""Assigning new documents to a fitted map (worker/assign.py)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.metrics import normalized_mutual_info_score

from tests.conftest import HashingEncoder, planted_corpus
from worker.assign import MapModel, assign_documents, assignment_rows
from worker.contracts import PipelineParams, TopicMap
from worker.pipeline.run import run_pipeline


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
    rows = assignment_rows(topic_map, [f"n{i}" for i in range(23)], assigned)
    labels = {t.id: t.label for t in topic_map.topics}
    assert rows[0]["label"] == labels[rows[0]["topic"]] and set(rows[0]) == {
        "id",
        "topic",
        "label",
        "score",
        "outlier",
        "x",
        "y",
    }
    with pytest.raises(ValueError, match="do not match"):
        MapModel.of(topic_map, embeddings[:-1])
