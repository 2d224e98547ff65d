"""Split one topic into k by re-clustering its documents (k-means on their stored embeddings):
nothing is embedded again, and the parts get terms, labels and representatives as the pipeline's."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from topicmap.edits.regroup import rescore
from topicmap.errors import Conflict, Invalid, NotFound
from topicmap.schemas import Hierarchy, Term, Topic, TopicMap
from topicmap.terms import TermTable, class_tfidf, generic_terms, row_label, top_terms


def split_topic(
    topic_map: TopicMap,
    table: TermTable,
    embeddings: npt.NDArray[np.float32],
    topic_id: int,
    k: int,
    *,
    min_size: int,
    seed: int = 42,
) -> tuple[TopicMap, TermTable]:
    """Split topic ``topic_id`` into ``k`` topics by k-means (k-means++ seeding, scipy) on its
    documents' embeddings (rows in the map's document order, L2-normalised).

    A part smaller than ``min_size`` is not a topic: its documents join the nearest other parts
    (so fewer than ``k`` topics can come out). The largest part keeps the topic's id, the others
    get new ids after the highest; each part's terms come from its core documents' term presence,
    its representative documents are the core documents nearest its centroid. The hierarchy gets
    the new topics as siblings of the old one.
    """
    from scipy.cluster.vq import kmeans2

    if table.presence is None:
        raise Conflict("this map kept no per-document terms (over 200,000 documents, or made earlier)")
    topic = next((t for t in topic_map.topics if t.id == topic_id and t.id >= 0), None)
    if topic is None:
        raise NotFound(f"the map has no topic {topic_id}")
    if topic_id not in table.topic_ids:
        raise Invalid(f"the stored term counts have no topic {topic_id}")
    if len(embeddings) != len(topic_map.documents.id):
        raise Invalid("the stored embeddings do not match the map's documents")
    if topic.size < k * min_size:
        raise Invalid(
            f"topic {topic_id} has {topic.size} documents; splitting it into {k} needs at least "
            f"{k} x {min_size} (the smallest topic size)"
        )
    edited = topic_map.model_copy(deep=True)
    docs = edited.documents
    topic_of_doc = np.asarray(docs.topic)
    rows = np.flatnonzero(topic_of_doc == topic_id)
    vectors = np.asarray(embeddings[rows], dtype=np.float64)
    _, labels = kmeans2(vectors, k, minit="++", seed=np.random.default_rng(seed))
    part_of = absorb_small_parts(vectors, labels.astype(np.int64), min_size)
    sizes = np.bincount(part_of, minlength=k)
    order = [int(p) for p in np.argsort(-sizes, kind="stable") if sizes[p] > 0]
    if len(order) < 2:
        raise Invalid(f"topic {topic_id} could not be split: its documents are too alike")
    next_id = max([*(t.id for t in edited.topics), *table.topic_ids]) + 1
    new_ids = [topic_id, *range(next_id, next_id + len(order) - 1)]
    id_of_part = dict(zip(order, new_ids, strict=True))
    new_topic_of_rows = np.array([id_of_part[int(p)] for p in part_of])
    topic_of_doc[rows] = new_topic_of_rows
    docs.topic = topic_of_doc.tolist()

    core = ~np.asarray(docs.outlier, dtype=bool)
    part_counts = [
        sp.csr_matrix(table.presence[rows[(new_topic_of_rows == new_id) & core[rows]]].sum(axis=0))
        for new_id in new_ids
    ]
    row = table.topic_ids.index(topic_id)
    counts = table.counts.tocsr().astype(np.int64)
    new_table = TermTable(
        table.vocabulary,
        [*table.topic_ids, *new_ids[1:]],
        sp.vstack([counts[:row], part_counts[0], counts[row + 1 :], *part_counts[1:]]).tocsr(),
        table.presence,
    )
    weights = class_tfidf(new_table.counts)
    generic = generic_terms(new_table.counts, new_table.topic_ids, docs.topic, table.vocabulary)
    xs, ys = np.asarray(docs.x), np.asarray(docs.y)
    n_terms = len(topic.terms) or 10
    n_representative = len(topic.representative_documents) or 5
    parts: dict[int, Topic] = {}
    for new_id in new_ids:
        inside = rows[new_topic_of_rows == new_id]
        members = inside[core[inside]] if core[inside].any() else inside
        centroid = embeddings[members].mean(axis=0)
        nearest = members[np.argsort(-(embeddings[members] @ centroid), kind="stable")[:n_representative]]
        at = new_table.topic_ids.index(new_id)
        weights_of_part = weights.getrow(at)
        terms = top_terms(weights_of_part, table.vocabulary, n_terms)
        parts[new_id] = topic.model_copy(
            update={
                "id": new_id,
                "label": row_label(weights_of_part, table.vocabulary, generic, new_table.counts.getrow(at))
                or f"Topic {new_id}",
                "named_by": "terms",
                "terms": [Term(term=term, weight=weight) for term, weight in terms],
                "size": len(inside),
                "x": round(float(np.median(xs[inside])), 4),
                "y": round(float(np.median(ys[inside])), 4),
                "representative_documents": [docs.id[i] for i in nearest],
            }
        )
    edited.topics = [parts.get(t.id, t) for t in edited.topics] + [parts[i] for i in new_ids[1:]]
    edited.topics.sort(key=lambda t: (t.id < 0, -t.size, t.id))
    if edited.hierarchy is not None:
        edited.hierarchy = split_in_tree(edited.hierarchy, topic_id, [parts[i] for i in new_ids])
    rescore(edited, new_table)
    return edited, new_table


def split_in_tree(hierarchy: Hierarchy, topic_id: int, parts: list[Topic]) -> Hierarchy:
    """The tree with topic ``topic_id``'s leaf replaced by one leaf per part, under the same parent
    (the parent's children stay largest first)."""
    tree = hierarchy.model_copy(deep=True)
    nodes = {node.id: node for node in tree.nodes}
    old = nodes.get(f"t{topic_id}")
    if old is None:
        return tree
    leaves = [
        old.model_copy(
            update={
                "id": f"t{part.id}",
                "size": part.size,
                "label": part.label,
                "named_by": part.named_by,
                "terms": part.terms,
                "topics": [part.id],
                "x": part.x,
                "y": part.y,
                "children": [],
            }
        )
        for part in parts
    ]
    parent = nodes.get(old.parent) if old.parent else None
    ancestor = parent
    while ancestor is not None:  # every node above gains the new topics (its size is unchanged)
        ancestor.topics = sorted(set(ancestor.topics) | {part.id for part in parts})
        ancestor = nodes.get(ancestor.parent) if ancestor.parent else None
    if parent is not None:
        sizes = {node.id: node.size for node in nodes.values()} | {leaf.id: leaf.size for leaf in leaves}
        children = [c for c in parent.children if c != old.id] + [leaf.id for leaf in leaves]
        parent.children = sorted(children, key=lambda c: -sizes.get(c, 0))
    position = tree.nodes.index(old)
    tree.nodes[position : position + 1] = leaves
    return tree


def absorb_small_parts(
    vectors: npt.NDArray[np.float64], part_of: npt.NDArray[np.int_], min_size: int
) -> npt.NDArray[np.int_]:
    """k-means has no minimum size: the smallest part below ``min_size`` gives each of its documents
    to the nearest centroid (cosine) of the other parts, until every part left is big enough or one
    part is left."""
    part_of = part_of.copy()
    while True:
        sizes = np.bincount(part_of)
        alive = [p for p in range(len(sizes)) if sizes[p] > 0]
        small = [p for p in alive if sizes[p] < min_size]
        if not small or len(alive) <= 1:
            return part_of
        smallest = min(small, key=lambda p: (sizes[p], p))
        others = np.array([p for p in alive if p != smallest])
        centroids = np.stack([vectors[part_of == p].mean(axis=0) for p in others])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        members = part_of == smallest
        part_of[members] = others[np.argmax(vectors[members] @ centroids.T, axis=1)]
