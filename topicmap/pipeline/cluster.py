"""Cluster reduced embeddings into topics, merge topics down to a target, place outliers.

Outliers (HDBSCAN label -1) are first-class: :class:`OutlierAssigner` moves each to the topic whose
centroid is most similar in embedding space and keeps an ``outlier`` flag, or keeps them as -1.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from topicmap.vectors import topic_centroids

Labels = npt.NDArray[np.int64]
OUTLIER_BLOCK = 8192
GIANT_SHARE = 0.5
"""No topic of more than half the documents where HDBSCAN found clusters inside it: on 150-600 Debian
descriptions excess-of-mass selection kept one cluster of more than half of them (up to 96%) in 10 of
20 samples (docs/benchmarks.md, "Small corpora")."""


class HdbscanClusterer:
    """Density clustering (HDBSCAN, excess-of-mass selection) with the ``fast_hdbscan`` package.

    ``fast_hdbscan`` finds the exact minimum spanning tree of the mutual-reachability graph with a
    Borůvka search on numba's threads (``hdbscan``'s default tree is approximate and its search runs
    on one thread: at 100,000 documents 4.4 s on 1 or 2 cores, where this takes 7.0 s on one and
    3.9 s on two, and keeps dividing). Its reproducible mode gives the same labels for any number of
    threads (docs/pipeline.md, "The number of cores does not matter").

    Parameters
    ----------
    min_cluster_size : int, default=10
    min_samples : int, optional
        Density smoothing; lower values leave fewer outliers. Default: ``min_cluster_size``.
    max_share : float or None, default=GIANT_SHARE
        A cluster holding more of the points is replaced by the clusters inside it, when they hold at
        least half of its points (:meth:`_without_giant`); None keeps excess-of-mass selection as is.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster per point, -1 for outliers.
    """

    def __init__(
        self, *, min_cluster_size: int = 10, min_samples: int | None = None, max_share: float | None = GIANT_SHARE
    ) -> None:
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.max_share = max_share

    def fit(self, X: npt.NDArray[np.float32]) -> HdbscanClusterer:
        import fast_hdbscan

        if self.min_cluster_size < 2:
            raise ValueError("min_cluster_size must be at least 2")
        if len(X) < 2:  # nothing to cluster: one point is an outlier
            self.labels_ = np.full(len(X), -1, dtype=np.int64)
            return self
        min_samples = self.min_cluster_size if self.min_samples is None else self.min_samples
        model = fast_hdbscan.HDBSCAN(
            min_cluster_size=min(self.min_cluster_size, len(X)),
            min_samples=max(1, min(min_samples, len(X) - 1)),
            cluster_selection_method="eom",
            reproducible=True,
        )
        labels = np.asarray(model.fit_predict(np.ascontiguousarray(X, dtype=np.float32)), dtype=np.int64)
        self.labels_ = self._without_giant(model, labels)
        return self

    def _without_giant(self, model: Any, labels: Labels) -> Labels:
        """Excess-of-mass keeps a cluster whole when it is more stable than the clusters inside it
        together, which on a few hundred documents can be one cluster of nearly all of them. Past
        ``max_share`` of the points, the clusters are selected again from the same tree with none
        larger than that (``max_cluster_size``), and taken when they hold at least half of the big
        cluster's points; one with no clusters inside it stays whole (its points would all be noise)."""
        if self.max_share is None or labels.max() < 0:
            return labels
        from fast_hdbscan.hdbscan import clusters_from_spanning_tree

        sizes = np.bincount(labels[labels >= 0])
        giant = int(sizes.argmax())
        cap = int(self.max_share * len(labels))
        if sizes[giant] <= cap:
            return labels
        try:
            again = clusters_from_spanning_tree(  # the fitted spanning tree: no new search
                model._min_spanning_tree,
                min_cluster_size=model.min_cluster_size,
                cluster_selection_method="eom",
                max_cluster_size=cap,
            )[0]
        except KeyError:  # fast_hdbscan 0.3.4, when one cluster is left: the big one had none inside it
            return labels
        again = np.asarray(again, dtype=np.int64)
        return again if (again[labels == giant] >= 0).mean() >= 0.5 else labels


def centroids(embeddings: npt.NDArray[np.float32], labels: Labels) -> tuple[list[int], npt.NDArray[np.float32]]:
    """Unit-length mean embedding per topic (ignoring -1), with the topic ids in row order."""
    return topic_centroids(embeddings, labels)


class TopicMerger:
    """Merge the most similar topics until ``n_topics`` remain: Ward linkage of their unit-length
    centroids, as the hierarchy groups topics into themes. Average linkage (cosine; ``linkage``)
    chained them into one topic: 5,000 Debian descriptions merged to 8 topics put 88% of them in
    one; Ward 25%, and NMI against the sections 0.077 → 0.246 (docs/benchmarks.md, "Fewer topics").

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Merged labels; -1 untouched. Unchanged when there are already ``n_topics`` or fewer.
    """

    def __init__(self, *, n_topics: int | None = None, linkage: Literal["ward", "average"] = "ward") -> None:
        self.n_topics = n_topics
        self.linkage = linkage

    def fit(self, embeddings: npt.NDArray[np.float32], labels: Labels) -> TopicMerger:
        from sklearn.cluster import AgglomerativeClustering

        topics, vectors = centroids(embeddings, labels)
        self.labels_ = labels.copy()
        if self.n_topics is None or len(topics) <= self.n_topics:
            return self
        metric = "cosine" if self.linkage == "average" else "euclidean"  # unit vectors: the same order
        merge = AgglomerativeClustering(n_clusters=self.n_topics, metric=metric, linkage=self.linkage)
        groups = merge.fit_predict(vectors)
        lookup = np.full(max(topics) + 1, -1, dtype=np.int64)
        lookup[topics] = groups
        self.labels_ = np.where(labels >= 0, lookup[np.maximum(labels, 0)], labels)
        return self


MERGED_MANY = 3
"""Topics merged from this many found ones each, on average, hold several subjects."""


def merge_warnings(n_found: int, n_topics: int | None) -> list[str]:
    """What to say when ``n_topics`` is far below the topics the clustering found: the merged
    topics are bags of subjects, named by their largest parts; a larger minimum topic size finds
    fewer topics that each have words of their own (5,000 Debian descriptions: 89 found, 8 asked;
    minimum size 60: 24 topics, each named by its own terms)."""
    if n_topics is None or n_found < MERGED_MANY * n_topics:
        return []
    return [
        f"{n_found} topics were found and merged into {n_topics}, so each holds several subjects (named by "
        'the largest: "A, B and N more"); a larger minimum topic size finds fewer topics with words of their own'
    ]


class OutlierAssigner:
    """Assign outliers to the most similar topic centroid, or keep them as -1.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    outlier_ : ndarray of bool, shape (n_samples,)
        True where the input label was -1.
    """

    def __init__(self, *, keep_outliers: bool = False) -> None:
        self.keep_outliers = keep_outliers

    def fit(self, embeddings: npt.NDArray[np.float32], labels: Labels) -> OutlierAssigner:
        self.outlier_ = labels < 0
        self.labels_ = labels.copy()
        topics, vectors = centroids(embeddings, labels)
        if self.keep_outliers or not self.outlier_.any():
            return self
        if not topics:  # nothing was dense enough: everything is one topic
            self.labels_[:] = 0
            return self
        rows = np.flatnonzero(self.outlier_)
        nearest = np.empty(len(rows), dtype=np.intp)
        for start in range(0, len(rows), OUTLIER_BLOCK):  # outliers x topics at once: 2.7 GB at 10^6 documents
            block = rows[start : start + OUTLIER_BLOCK]
            nearest[start : start + len(block)] = (embeddings[block] @ vectors.T).argmax(axis=1)
        self.labels_[rows] = np.asarray(topics)[nearest]
        return self


def order_by_size(labels: Labels) -> Labels:
    """Renumber topics 0..k-1 from largest to smallest (ties: first appearance); -1 stays."""
    topics, first_seen, sizes = np.unique(labels[labels >= 0], return_index=True, return_counts=True)
    order = np.lexsort((first_seen, -sizes))
    mapping = {int(topics[old]): new for new, old in enumerate(order)}
    return np.fromiter((mapping.get(int(t), -1) for t in labels), dtype=np.int64, count=len(labels))
