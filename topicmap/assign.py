"""Assign new documents to an existing map: a topic, a similarity, an outlier flag and a position each.

Pure numpy over embeddings, with the map left unchanged. A topic's centroid is the mean embedding of
its core documents (as the labels' representatives use); a new document goes to the topic whose
centroid is most similar (cosine), and is flagged ``outlier`` when that similarity is below what
``OUTLIER_QUANTILE`` of the map's own core documents reach to their topic's centroid: far from every
topic. Its position is the similarity-weighted mean of its ``NEIGHBOURS`` nearest map documents'
positions (what UMAP's own ``transform`` starts from), so it lands among the documents it resembles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from topicmap.schemas import TopicMap
from topicmap.terms import TermTable
from topicmap.vectors import normalised

NEIGHBOURS = 10
OUTLIER_QUANTILE = 0.05
CHUNK = 1024
"""New documents compared with the map's at a time (bounds memory: CHUNK x map documents floats)."""


@dataclass
class MapModel:
    """What assigning needs from a map version: its documents' embeddings and positions, topic centroids."""

    embeddings: npt.NDArray[np.float32]
    xy: npt.NDArray[np.float32]
    topic_ids: list[int]
    centroids: npt.NDArray[np.float32]
    outlier_below: float
    """Similarity to the nearest centroid under which a new document is an outlier."""

    @classmethod
    def of(cls, topic_map: TopicMap, embeddings: npt.NDArray[np.float32]) -> MapModel:
        docs = topic_map.documents
        if len(embeddings) != len(docs.id):
            raise ValueError("the stored embeddings do not match the map's documents")
        topics = np.asarray(docs.topic)
        core = (topics >= 0) & ~np.asarray(docs.outlier, dtype=bool)
        ids = sorted({int(t) for t in topics[topics >= 0]})
        if not ids:
            raise ValueError("the map has no topic to assign documents to")
        rows = []
        for topic in ids:
            members = core & (topics == topic)
            rows.append(embeddings[members if members.any() else topics == topic].mean(axis=0))
        centroids = normalised(np.stack(rows))
        own = np.einsum("ij,ij->i", embeddings[core], centroids[np.searchsorted(ids, topics[core])])
        threshold = float(np.quantile(own, OUTLIER_QUANTILE)) if len(own) else -1.0
        xy = np.column_stack([docs.x, docs.y]).astype(np.float32)
        return cls(embeddings, xy, ids, centroids, threshold)


@dataclass
class Assigned:
    topic: list[int]
    score: list[float]
    outlier: list[bool]
    x: list[float]
    y: list[float]


def assign_documents(
    model: MapModel, vectors: npt.NDArray[np.float32], on_chunk: Callable[[int, int], None] | None = None
) -> Assigned:
    """Topic, similarity, outlier flag and position for each of ``vectors`` (L2-normalised)."""
    topics: list[int] = []
    scores: list[float] = []
    xs: list[float] = []
    ys: list[float] = []
    k = min(NEIGHBOURS, len(model.embeddings))
    for start in range(0, len(vectors), CHUNK):
        chunk = vectors[start : start + CHUNK]
        similarity = (chunk @ model.centroids.T).astype(np.float64)
        best = similarity.argmax(axis=1)
        topics += [model.topic_ids[i] for i in best]
        scores += np.round(similarity[np.arange(len(chunk)), best], 4).tolist()
        to_documents = chunk @ model.embeddings.T
        nearest = np.argpartition(-to_documents, k - 1, axis=1)[:, :k]
        weights = np.maximum(np.take_along_axis(to_documents, nearest, axis=1), 1e-6)
        weights /= weights.sum(axis=1, keepdims=True)
        positions = np.einsum("ik,ikd->id", weights, model.xy[nearest]).astype(np.float64)
        xs += np.round(positions[:, 0], 4).tolist()
        ys += np.round(positions[:, 1], 4).tolist()
        if on_chunk is not None:
            on_chunk(min(start + CHUNK, len(vectors)), len(vectors))
    return Assigned(topics, scores, [s < model.outlier_below for s in scores], xs, ys)


def assignment_rows(
    topic_map: TopicMap, ids: Sequence[str], assigned: Assigned, texts: Sequence[str]
) -> list[dict[str, str | int | float | bool]]:
    """One row per new document: id, topic, label, score, outlier, x, y, text."""
    labels = {t.id: t.label for t in topic_map.topics}
    return [
        {
            "id": doc_id,
            "topic": topic,
            "label": labels.get(topic, ""),
            "score": score,
            "outlier": outlier,
            "x": x,
            "y": y,
            "text": text,
        }
        for doc_id, topic, score, outlier, x, y, text in zip(
            ids, assigned.topic, assigned.score, assigned.outlier, assigned.x, assigned.y, texts, strict=True
        )
    ]


def added_map(
    topic_map: TopicMap,
    ids: Sequence[str],
    assigned: Assigned,
    table: TermTable | None = None,
    presence: sp.csr_matrix | None = None,
) -> tuple[TopicMap, TermTable | None]:
    """The map with the assigned documents added: the next version of ``topic_map``.

    Each new document joins its assigned topic (topic -1 instead, for an outlier, when the map keeps
    outliers there) at its assigned position; one that is not an outlier becomes a core member, so
    with ``table`` (the version's term counts) and ``presence`` (the new documents' terms, in the
    table's vocabulary) its terms join the topic's counts and the topics that grew get their terms
    and label again (a person's label stays). Sizes, positions, the hierarchy's sizes, the document
    count and the quality scores follow. Ids must not be in the map already.
    """
    from topicmap.edits.regroup import refresh_topics, rescore
    from topicmap.edits.tree import regroup_tree

    clash = set(ids) & set(topic_map.documents.id)
    if clash:
        raise ValueError(f"the map already has a document with id {sorted(clash)[0]!r}")
    edited = topic_map.model_copy(deep=True)
    docs = edited.documents
    to_outliers = edited.meta.params.keep_outliers and any(t.id == -1 for t in edited.topics)
    topics = [
        -1 if outlier and to_outliers else topic
        for topic, outlier in zip(assigned.topic, assigned.outlier, strict=True)
    ]
    docs.id += list(ids)
    docs.x += assigned.x
    docs.y += assigned.y
    docs.topic += topics
    docs.outlier += assigned.outlier
    if docs.duplicate_group is not None:  # added documents join no group (they were not compared)
        docs.duplicate_group += [-1] * len(ids)
    if docs.tags is not None:
        docs.tags += [[] for _ in ids]
    if docs.top_topics is not None and docs.top_strengths is not None:  # their own topic, as assigned
        docs.top_topics += [[t] if t >= 0 else [] for t in topics]
        docs.top_strengths += [
            [round(max(s, 0.0), 3)] if t >= 0 else [] for t, s in zip(topics, assigned.score, strict=True)
        ]
    new_table = table
    if table is not None and table.presence is not None and presence is not None:
        row_of_topic = {t: i for i, t in enumerate(table.topic_ids)}
        core = [
            (row_of_topic[topic], i)
            for i, (topic, outlier) in enumerate(zip(topics, assigned.outlier, strict=True))
            if not outlier and topic in row_of_topic
        ]
        joins = sp.csr_matrix(
            ([1] * len(core), ([r for r, _ in core], [i for _, i in core])), shape=(len(table.topic_ids), len(topics))
        )
        counts = (table.counts.astype(np.int64) + joins @ presence.astype(np.int64)).tocsr()
        new_table = TermTable(table.vocabulary, table.topic_ids, counts, sp.vstack([table.presence, presence]).tocsr())
    refresh_topics(edited, new_table, set(topics))
    by_id = {t.id: t for t in edited.topics}
    edited.hierarchy = regroup_tree(edited, {}, by_id, new_table)  # sizes only: no topic came or went
    edited.meta.n_documents = len(docs.id)
    quality = edited.meta.quality
    quality.outlier_share = round(float(np.mean(docs.outlier)), 6)
    if new_table is not None:
        rescore(edited, new_table)
    else:
        quality.unassigned_share = round(float((np.asarray(docs.topic) < 0).mean()), 6)
    return edited, new_table
