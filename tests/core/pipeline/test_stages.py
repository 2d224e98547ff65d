"""Stage contracts: fit returns self, output shapes, and the same seed gives the same output."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.pipeline.cluster import (
    HdbscanClusterer,
    OutlierAssigner,
    TopicMerger,
    centroids,
    merge_warnings,
    order_by_size,
)
from topicmap.pipeline.embed import Embedder, unique_texts
from topicmap.pipeline.reduce import NeighbourGraph, UmapReducer


@pytest.fixture(scope="module")
def embeddings() -> np.ndarray:
    texts, _ = planted_corpus(40)
    return Embedder(encoder=HashingEncoder()).fit(texts).embeddings_


def test_embedder_embeds_each_distinct_text_once_and_reports_batches() -> None:
    class CountingEncoder(HashingEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def encode(self, texts):  # type: ignore[no-untyped-def]
            self.seen.extend(texts)
            return super().encode(texts)

    encoder = CountingEncoder()
    calls: list[tuple[int, int]] = []
    texts = ["b text", "a text", "b text", "c longer text", "a text"]
    embedder = Embedder(encoder=encoder, batch_size=2)
    assert embedder.fit(texts, on_batch=lambda d, t: calls.append((d, t))) is embedder
    assert sorted(encoder.seen) == ["a text", "b text", "c longer text"]
    assert embedder.n_unique_ == 3
    assert embedder.embeddings_.shape == (5, 64) and embedder.embeddings_.dtype == np.float32
    np.testing.assert_array_equal(embedder.embeddings_[0], embedder.embeddings_[2])
    assert calls == [(2, 3), (3, 3)]


def test_embedder_rejects_empty_input() -> None:
    with pytest.raises(ValueError, match="no texts"):
        Embedder(encoder=HashingEncoder()).fit([])


def test_unique_texts() -> None:
    unique, inverse = unique_texts(["x", "y", "x"])
    assert unique == ["x", "y"] and inverse.tolist() == [0, 1, 0]


def test_neighbour_graph_shape_and_determinism(embeddings: np.ndarray) -> None:
    graph = NeighbourGraph(n_neighbors=10, random_state=3)
    assert graph.fit(embeddings) is graph
    assert graph.indices_.shape == (len(embeddings), 10)
    again = NeighbourGraph(n_neighbors=10, random_state=3).fit(embeddings)
    np.testing.assert_array_equal(graph.indices_, again.indices_)


def test_neighbour_graph_caps_neighbours_for_tiny_corpora() -> None:
    graph = NeighbourGraph(n_neighbors=15).fit(np.random.default_rng(0).normal(size=(6, 8)).astype(np.float32))
    assert graph.n_neighbors_ == 5


@pytest.mark.parametrize("n_components", [2, 5])
def test_umap_reducer_shape_and_seeded_determinism(embeddings: np.ndarray, n_components: int) -> None:
    graph = NeighbourGraph(n_neighbors=10).fit(embeddings)
    reducer = UmapReducer(n_components=n_components, random_state=7)
    assert reducer.fit(embeddings, graph) is reducer
    assert reducer.embedding_.shape == (len(embeddings), n_components)
    again = UmapReducer(n_components=n_components, random_state=7).fit(embeddings, graph)
    np.testing.assert_array_equal(reducer.embedding_, again.embedding_)


def test_umap_reducer_refuses_a_graph_of_other_data(embeddings: np.ndarray) -> None:
    graph = NeighbourGraph(n_neighbors=5).fit(embeddings[:20])
    with pytest.raises(ValueError, match="other data"):
        UmapReducer().fit(embeddings, graph)


def test_clustering_recovers_planted_topics(embeddings: np.ndarray) -> None:
    _, truth = planted_corpus(40)
    graph = NeighbourGraph(n_neighbors=10).fit(embeddings)
    reduced = UmapReducer(n_components=5).fit(embeddings, graph).embedding_
    clusterer = HdbscanClusterer(min_cluster_size=10, min_samples=5)
    assert clusterer.fit(reduced) is clusterer
    assert clusterer.labels_.shape == (len(embeddings),)
    labels = OutlierAssigner().fit(embeddings, clusterer.labels_).labels_
    assert adjusted_rand_score(truth, labels) > 0.9


def blobs(gap: float, seed: int) -> np.ndarray:
    """Three blobs of 150 points, ``gap`` apart, and 30 points far away."""
    rng = np.random.default_rng(seed)
    centres = ([0.0] * 5, [gap] + [0.0] * 4, [0.0, gap, 0.0, 0.0, 0.0], [20.0] * 5)
    return np.vstack([rng.normal(c, 0.3, size=(30 if c[0] == 20 else 150, 5)) for c in centres]).astype(np.float32)


def test_a_cluster_of_most_points_is_split_into_the_clusters_inside_it() -> None:
    """Excess-of-mass keeps three close blobs as one cluster of 450 of 480 points (a map of one
    topic); past half of the points the clusters inside it are taken. One blob of 450 has none
    inside it: it stays whole, not turned to noise."""
    close = blobs(2.0, seed=1)
    whole = HdbscanClusterer(min_cluster_size=10, min_samples=5, max_share=None).fit(close).labels_
    assert sorted(np.bincount(whole[whole >= 0]).tolist()) == [30, 450]
    split = HdbscanClusterer(min_cluster_size=10, min_samples=5).fit(close).labels_
    assert split.max() == 3 and np.bincount(split[split >= 0]).max() <= 150
    for blob in range(3):  # each blob mostly one cluster of its own
        found = split[blob * 150 : (blob + 1) * 150]
        assert np.bincount(found[found >= 0]).max() >= 120
    one = blobs(0.0, seed=1)  # the three blobs are one
    labels = HdbscanClusterer(min_cluster_size=10, min_samples=5).fit(one).labels_
    assert sorted(np.bincount(labels[labels >= 0]).tolist()) == [30, 450] and (labels >= 0).all()


def test_outlier_assigner_moves_outliers_to_the_nearest_centroid_and_flags_them() -> None:
    X = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1], [0.9, 0.2], [0.2, 0.9]], dtype=np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    labels = np.array([0, 0, 1, 1, -1, -1])
    assigner = OutlierAssigner()
    assert assigner.fit(X, labels) is assigner
    assert assigner.labels_.tolist() == [0, 0, 1, 1, 0, 1]
    assert assigner.outlier_.tolist() == [False] * 4 + [True] * 2
    kept = OutlierAssigner(keep_outliers=True).fit(X, labels)
    assert kept.labels_.tolist() == labels.tolist() and kept.outlier_.sum() == 2


def test_outlier_assigner_with_no_topic_at_all() -> None:
    assigner = OutlierAssigner().fit(np.eye(3, dtype=np.float32), np.array([-1, -1, -1]))
    assert assigner.labels_.tolist() == [0, 0, 0] and assigner.outlier_.all()


def test_topic_merger_merges_the_closest_topics() -> None:
    X = np.array([[1, 0, 0], [0.95, 0.05, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    labels = np.array([0, 1, 2, 3])
    merger = TopicMerger(n_topics=3)
    assert merger.fit(X, labels) is merger
    merged = merger.labels_
    assert len(set(merged.tolist())) == 3 and merged[0] == merged[1]
    assert TopicMerger(n_topics=None).fit(X, labels).labels_.tolist() == labels.tolist()
    assert TopicMerger(n_topics=10).fit(X, labels).labels_.tolist() == labels.tolist()


def test_asking_for_far_fewer_topics_than_found_says_so() -> None:
    """89 found, 8 asked: each merged topic is a bag of subjects; the job says what helps instead."""
    (said,) = merge_warnings(89, 8)
    assert said.startswith("89 topics were found and merged into 8") and "larger minimum topic size" in said
    assert merge_warnings(20, 8) == [] and merge_warnings(89, None) == []


def test_centroids_are_unit_length() -> None:
    topics, vectors = centroids(np.array([[3, 4], [3, 4], [1, 0]], dtype=np.float32), np.array([0, 0, -1]))
    assert topics == [0]
    np.testing.assert_allclose(vectors, [[0.6, 0.8]], rtol=1e-6)


def test_centroids_are_each_topics_mean_of_its_own_rows() -> None:
    """One sort finds each topic's rows: the same means, bit for bit, as selecting them topic by topic."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3000, 16)).astype(np.float32)
    labels = rng.integers(-1, 40, 3000)
    labels[labels == 7] = -1  # a gap in the ids
    topics, vectors = centroids(X, labels)
    assert topics == sorted(set(labels.tolist()) - {-1})
    means = np.stack([X[labels == t].mean(axis=0) for t in topics])
    assert np.array_equal(vectors, (means / np.linalg.norm(means, axis=1, keepdims=True)).astype(np.float32))
    assert centroids(X[:0], labels[:0])[0] == [] and centroids(X[:2], np.array([-1, -1]))[1].shape == (0, 16)


def test_order_by_size() -> None:
    assert order_by_size(np.array([5, 2, 2, -1, 5, 5, 9])).tolist() == [0, 1, 1, -1, 0, 0, 2]
