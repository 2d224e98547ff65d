"""Turn the pipeline's arrays into the :class:`~topicmap.schemas.TopicMap` contract."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np
import numpy.typing as npt

from topicmap.anchors import theme_anchors
from topicmap.pipeline.hierarchy import TopicHierarchy
from topicmap.pipeline.label import TopicLabeler
from topicmap.schemas import Documents, Hierarchy, HierarchyNode, Term, Topic
from topicmap.theme_labels import named_topics
from topicmap.vectors import topic_members

VERSIONED_PACKAGES = (
    "topicmap",
    "sentence-transformers",
    "torch",
    "onnxruntime",
    "umap-learn",
    "pynndescent",
    "fast-hdbscan",
    "scikit-learn",
    "numpy",
)


def library_versions() -> dict[str, str]:
    versions = {}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def build_topics(
    labeler: TopicLabeler, topics: npt.NDArray[np.int64], xy: npt.NDArray[np.float32], ids: Sequence[str]
) -> list[Topic]:
    """One :class:`Topic` per topic id, positioned at the median of its documents on the map."""
    result = []
    members_of = topic_members(topics)
    for index, topic in enumerate(labeler.topic_ids_):
        members = members_of[topic]
        x, y = np.median(xy[members], axis=0)
        result.append(
            Topic(
                id=topic,
                label=labeler.labels_[index],
                terms=[Term(term=t, weight=w) for t, w in labeler.terms_[index]],
                size=len(members),
                x=_round(x),
                y=_round(y),
                representative_documents=[ids[i] for i in labeler.representatives_[index]],
            )
        )
    return sorted(result, key=lambda t: (t.id < 0, t.id))


def build_hierarchy(
    hierarchy: TopicHierarchy,
    topics: npt.NDArray[np.int64],
    xy: npt.NDArray[np.float32],
    centres: dict[int, tuple[float, float]],
) -> Hierarchy:
    """The tree as the contract. A topic sits at its ``centres`` entry (its position from
    :func:`build_topics`) and the root at the median of the documents; a theme at the centre of the
    topic its label names best (topicmap/anchors.py): no node but the root reads every
    document's position (a million documents in 2,800 topics have some 5,600 nodes)."""
    leaves = [node for node in hierarchy.nodes_ if node.level == "fine" and node.topics]
    at = {node.id: centres[node.topics[0]] for node in leaves if node.topics[0] in centres}  # where the topic is
    labels, sizes = {n.topics[0]: n.label for n in leaves}, {n.topics[0]: n.size for n in leaves}
    for level in ("coarse", "medium"):
        themes = [node for node in hierarchy.nodes_ if node.level == level]
        named = [named_topics(n.label, n.topics, labels, sizes) for n in themes]
        anchors = theme_anchors(xy, topics, [n.topics for n in themes], centres, named=named)
        for node, anchor in zip(themes, anchors, strict=True):
            if anchor is not None:
                at[node.id] = anchor
    nodes = []
    for node in hierarchy.nodes_:
        if node.id not in at:  # the root: one pass over the documents
            inside = np.isin(topics, node.topics)
            at[node.id] = _median(xy[inside]) if inside.any() else (0.0, 0.0)
        x, y = at[node.id]
        nodes.append(
            HierarchyNode(
                id=node.id,
                level=node.level,  # type: ignore[arg-type]
                parent=node.parent,
                children=node.children,
                size=node.size,
                label=node.label,
                terms=[Term(term=t, weight=w) for t, w in node.terms],
                topics=node.topics,
                x=_round(x),
                y=_round(y),
            )
        )
    method = f"{hierarchy.method} linkage of the unit-length topic centroids"
    return Hierarchy(method=method, levels=hierarchy.levels_, nodes=nodes)  # type: ignore[arg-type]


def _median(points: npt.NDArray[np.float32]) -> tuple[float, float]:
    x, y = np.median(points, axis=0)
    return float(x), float(y)


def build_documents(
    ids: Sequence[str], xy: npt.NDArray[np.float32], topics: npt.NDArray[np.int64], outlier: npt.NDArray[np.bool_]
) -> Documents:
    return Documents(
        id=list(ids),
        x=rounded(xy[:, 0], 4),
        y=rounded(xy[:, 1], 4),
        topic=topics.tolist(),
        outlier=outlier.tolist(),
    )


def _round(value: float | np.floating) -> float:
    """Four decimals is far below what a map shows, and keeps the JSON small."""
    return round(float(value), 4)


def rounded(values: npt.NDArray[np.floating], decimals: int) -> list[Any]:
    """``round(float(v), decimals)`` for each value, as (nested) lists, without a Python call per value
    for float32 (0.5 s for the closest topics' strengths at 100,000 documents). The same numbers: a
    float32 times 10**decimals (decimals <= 8) is exact in float64, so numpy's multiply-rint-divide
    rounds as Python's correctly rounded ``round`` does (tests/core/pipeline/test_assemble.py)."""
    array = np.asarray(values)
    if array.dtype == np.float32 and 0 <= decimals <= 8:
        return np.round(array.astype(np.float64), decimals).tolist()  # type: ignore[no-any-return]
    return np.vectorize(lambda v: round(float(v), decimals), otypes=[object])(array).tolist()  # type: ignore[no-any-return]
