"""A topic hierarchy: the fine topics grouped into medium and coarse themes under one root.

The tree is cut from one agglomerative (Ward) linkage of the unit-length topic centroids, so the
levels nest: every medium node lies in one coarse node, every topic in one medium node. Levels
with as many nodes as the level below are dropped (a small map may have only coarse and fine).
Why Ward over centroids, and the numbers, are in docs/pipeline.md.

Labels come from c-TF-IDF over each level's nodes, computed from the topic × term counts the
labeller already has (a node's counts are the sum of its topics'), so the hierarchy costs no second
pass over the texts: the same terms, stop words and near-duplicate rules as topics. Terms found in
most topics ("package" in package descriptions) are left out of node labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage

from topicmap.terms import readable_label
from topicmap.theme_labels import acceptable_label, common_terms, level_terms, shared_label

__all__ = ["Linkage", "Node", "TopicHierarchy", "acceptable_label", "level_sizes", "shared_label"]

Linkage = Literal["single", "complete", "average", "weighted", "ward"]
COARSE_RANGE = (5, 15)
"""Coarse level: about the square root of the number of topics, within this range."""


def level_sizes(n_topics: int) -> dict[str, int]:
    """Target node counts of the coarse and medium levels for ``n_topics`` fine topics."""
    if n_topics <= 2:
        return {}
    coarse = int(min(max(round(math.sqrt(n_topics)), COARSE_RANGE[0]), COARSE_RANGE[1]))
    coarse = min(coarse, max(2, n_topics // 2))
    medium = round(math.sqrt(coarse * n_topics))  # halfway between coarse and fine, on a log scale
    sizes = {"coarse": coarse}
    if coarse * 1.5 <= medium <= n_topics / 1.5:
        sizes["medium"] = medium
    return sizes


@dataclass
class Node:
    id: str
    level: str
    parent: str | None
    topics: list[int]
    children: list[str] = field(default_factory=list)
    size: int = 0
    label: str = ""
    terms: list[tuple[str, float]] = field(default_factory=list)


class TopicHierarchy:
    """Group topics into nested levels by agglomerative linkage of their centroids.

    Parameters
    ----------
    method : str, default="ward"
        scipy linkage method over the unit-length topic centroids (Ward on Euclidean distance, which
        orders pairs of unit vectors as cosine does; the others on cosine distance).
    n_terms : int, default=10
        Terms kept per node.
    label_idf : {"level", "topics"}, default="level"
        c-TF-IDF's IDF over the nodes of the level, or over the topics (which favours terms of
        one topic: the label then describes the node's largest topic; docs/pipeline.md).
    max_topic_share : float, default=0.5
        Terms found in more than this share of all topics ("package" in package descriptions)
        never label a node: they cannot tell one theme from another.
    theme_labels : {"shared", "level"}, default="shared"
        "shared": a theme is named by the terms most of its topics share (in the top terms of at
        least half of them), the most distinctive first; when its topics share none, by its two
        largest topics ("rust, javascript and 3 more"). "level": the level's c-TF-IDF terms alone
        (before; they can join unrelated children: "audio · perl · devices"). docs/pipeline.md.

    Attributes
    ----------
    levels_ : list of str
        Level names from coarse to fine, ending with "fine" (the topics).
    nodes_ : list of Node
        The root, then every level's nodes; leaves are the topics (ids ``t{topic}``).
    assignment_ : dict of str to dict of int to str
        For each level, topic id → the node id containing it.
    """

    def __init__(
        self,
        *,
        method: Linkage = "ward",
        n_terms: int = 10,
        label_idf: Literal["level", "topics"] = "level",
        max_topic_share: float = 0.5,
        theme_labels: Literal["shared", "level"] = "shared",
    ) -> None:
        self.method = method
        self.n_terms = n_terms
        self.label_idf = label_idf
        self.max_topic_share = max_topic_share
        self.theme_labels = theme_labels

    def fit(
        self,
        topic_ids: list[int],
        centroids: npt.NDArray[np.float32],
        sizes: npt.NDArray[np.int64],
        counts: sp.csr_matrix,
        vocabulary: npt.NDArray[np.object_],
        topic_labels: dict[int, str],
        topic_terms: dict[int, list[tuple[str, float]]],
    ) -> TopicHierarchy:
        """Build the tree.

        Parameters
        ----------
        topic_ids : list of int, length n_topics
            Topics to organise (not -1).
        centroids : ndarray of shape (n_topics, dim)
            Unit-length mean embedding per topic, rows in ``topic_ids`` order.
        sizes : ndarray of shape (n_topics,)
            Documents per topic.
        counts : csr_matrix of shape (n_topics, n_terms)
            Term counts per topic (documents containing the term), rows in ``topic_ids`` order.
        vocabulary : ndarray of shape (n_terms,)
        topic_labels, topic_terms : the fine topics' own labels and terms (kept as they are).
        """
        n = len(topic_ids)
        cuts = self._cuts(centroids, n)
        self.levels_ = [*cuts, "fine"]
        root = Node("root", "root", None, list(topic_ids), size=int(sizes.sum()))
        self.nodes_ = [root]
        self.assignment_: dict[str, dict[int, str]] = {}
        parents = dict.fromkeys(topic_ids, "root")
        for level, groups in cuts.items():
            prefix = level[0]
            members: dict[int, list[int]] = {}
            for index, group in enumerate(groups):
                members.setdefault(int(group), []).append(index)
            # Largest group first, so "c0" is the largest coarse theme, like topic 0.
            ordered = sorted(members.values(), key=lambda rows: (-int(sizes[rows].sum()), rows[0]))
            level_nodes = []
            for number, rows in enumerate(ordered):
                node = Node(f"{prefix}{number}", level, None, [topic_ids[r] for r in rows], size=int(sizes[rows].sum()))
                node.parent = parents[node.topics[0]]
                level_nodes.append(node)
            self._label(level_nodes, ordered, counts, vocabulary)
            if self.theme_labels == "shared":
                size_of = dict(zip(topic_ids, sizes.tolist(), strict=True))
                common = common_terms(counts, vocabulary, self.max_topic_share)
                for node in level_nodes:
                    node_terms = [term for term, _ in node.terms]
                    label = shared_label(node.topics, node_terms, topic_terms, topic_labels, size_of, common)
                    node.label = label or node.label
            self.assignment_[level] = {t: node.id for node in level_nodes for t in node.topics}
            parents = self.assignment_[level]
            self.nodes_.extend(level_nodes)
        self.assignment_["fine"] = {t: f"t{t}" for t in topic_ids}
        for row, topic in enumerate(topic_ids):
            self.nodes_.append(
                Node(
                    f"t{topic}",
                    "fine",
                    parents[topic],
                    [topic],
                    size=int(sizes[row]),
                    label=topic_labels[topic],
                    terms=topic_terms[topic],
                )
            )
        by_id = {node.id: node for node in self.nodes_}
        for node in self.nodes_[1:]:
            by_id[node.parent or "root"].children.append(node.id)
        root.label = "All topics"
        return self

    def _cuts(self, centroids: npt.NDArray[np.float32], n: int) -> dict[str, npt.NDArray[np.int64]]:
        """Group number per topic for each level (coarse first), cut from one linkage so levels nest."""
        sizes = level_sizes(n)
        if not sizes:
            return {}
        # On unit vectors Euclidean distance orders pairs as cosine does (|a-b|² = 2 - 2 cos); Ward needs it.
        metric: Literal["euclidean", "cosine"] = "euclidean" if self.method == "ward" else "cosine"
        tree = linkage(centroids.astype(np.float64), method=self.method, metric=metric)
        cuts: dict[str, npt.NDArray[np.int64]] = {}
        for level in ("coarse", "medium"):
            if level in sizes:
                groups = fcluster(tree, t=sizes[level], criterion="maxclust").astype(np.int64)
                if len(np.unique(groups)) < n:  # a level as fine as the topics adds nothing
                    cuts[level] = groups
        return cuts

    def _label(
        self, nodes: list[Node], rows: list[list[int]], counts: sp.csr_matrix, vocabulary: npt.NDArray[np.object_]
    ) -> None:
        """c-TF-IDF of this level's nodes (topicmap/theme_labels.py: level_terms)."""
        terms = level_terms(
            rows, counts, vocabulary, self.n_terms, self.max_topic_share, idf_from_topics=self.label_idf == "topics"
        )
        for node, node_terms in zip(nodes, terms, strict=True):
            node.terms = node_terms
            node.label = readable_label([t for t, _ in node_terms]) or f"Theme {node.id}"
