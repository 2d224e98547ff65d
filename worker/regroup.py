"""Regroup a map's topics without embedding again: merge topics, or reduce the map to N topics.

Pure functions of a map version and its term counts (worker/terms.py), light enough for the API
process: a merged topic's counts are the sum of its topics' (their core documents are disjoint), so
its terms and label come from c-TF-IDF as the pipeline's do, without reading the texts. What
changes is recomputed: documents' topics, the merged topic's size, position (median of its
documents), terms, label and representative documents (the merged topics' own, interleaved, largest
topic first: the nearest to a merged centroid would need the embeddings), the hierarchy's leaves and
sizes, and the topic count and diversity. Untouched topics keep everything, a person's label too.
NPMI coherence is left as measured by the pipeline (it needs the texts).
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse as sp

from worker.contracts import Hierarchy, Term, Topic, TopicMap
from worker.terms import TermTable, class_tfidf, readable_label, top_terms


class RegroupError(ValueError):
    """A merge that cannot apply to this map (an unknown topic, a topic in two groups)."""


def merge_groups(
    topic_map: TopicMap, table: TermTable, groups: list[list[int]], labels: dict[int, str] | None = None
) -> tuple[TopicMap, TermTable]:
    """Merge each group of topics into its largest topic (which keeps its id).

    ``labels`` maps a group's first topic to a person's label for the merged topic; without one,
    the label comes from the merged terms.
    """
    by_id = {t.id: t for t in topic_map.topics}
    target_of: dict[int, int] = {}
    named: dict[int, str] = {}
    for group in groups:
        for member in group:
            if member not in by_id or member < 0:
                raise RegroupError(f"the map has no topic {member}")
            if member in target_of:
                raise RegroupError(f"topic {member} is in two merges")
        target = max(group, key=lambda t: (by_id[t].size, -t))
        target_of.update(dict.fromkeys(group, target))
        if labels and group[0] in labels:
            named[target] = labels[group[0]]
    missing = [t for t in target_of if t not in table.topic_ids]
    if missing:
        raise RegroupError(f"the stored term counts have no topic {missing[0]}")

    edited = topic_map.model_copy(deep=True)
    docs = edited.documents
    docs.topic = [target_of.get(t, t) for t in docs.topic]
    new_table = merged_table(table, target_of)
    weights = class_tfidf(new_table.counts)
    topic_of_doc = np.asarray(docs.topic)
    xs, ys = np.asarray(docs.x), np.asarray(docs.y)
    topics = {t.id: t for t in edited.topics}
    for target in sorted(set(target_of.values())):
        members = sorted((m for m, t in target_of.items() if t == target), key=lambda m: (-by_id[m].size, m))
        merged = topics[target]
        n_terms = len(merged.terms) or 10
        terms = top_terms(weights.getrow(new_table.topic_ids.index(target)), new_table.vocabulary, n_terms)
        merged.terms = [Term(term=term, weight=weight) for term, weight in terms]
        if target in named:
            merged.label, merged.named_by = named[target], "person"
        else:
            merged.label, merged.named_by = readable_label([t for t, _ in terms]) or f"Topic {target}", "terms"
        inside = topic_of_doc == target
        merged.size = int(inside.sum())
        merged.x, merged.y = round(float(np.median(xs[inside])), 4), round(float(np.median(ys[inside])), 4)
        lists = [by_id[m].representative_documents for m in members]
        keep = len(by_id[target].representative_documents) or 5
        merged.representative_documents = interleave(lists, keep)
    edited.topics = [t for t in edited.topics if target_of.get(t.id, t.id) == t.id]
    if edited.hierarchy is not None:
        edited.hierarchy = merge_in_tree(edited.hierarchy, target_of, topics)
    quality = edited.meta.quality
    quality.n_topics = sum(1 for t in edited.topics if t.id >= 0)
    all_terms = [term.term for t in edited.topics if t.id >= 0 for term in t.terms]
    quality.diversity = round(len(set(all_terms)) / len(all_terms), 6) if all_terms else 0.0
    return edited, new_table


def merged_table(table: TermTable, target_of: dict[int, int]) -> TermTable:
    """The counts with each merged group summed into its target's row (the others' rows dropped)."""
    kept = [t for t in table.topic_ids if target_of.get(t, t) == t]
    row_of = {t: i for i, t in enumerate(table.topic_ids)}
    rows = []
    for topic in kept:
        members = [m for m, t in target_of.items() if t == topic] or [topic]
        rows.append(sp.csr_matrix(table.counts[[row_of[m] for m in members]].sum(axis=0)))
    counts = sp.vstack(rows).tocsr() if rows else sp.csr_matrix((0, len(table.vocabulary)))
    return TermTable(table.vocabulary, kept, counts, table.presence)


def interleave(lists: list[list[str]], keep: int) -> list[str]:
    """The first of each list, then the second of each, …: at most ``keep``, no repeats."""
    chosen: list[str] = []
    for item in itertools.chain.from_iterable(itertools.zip_longest(*lists)):
        if item is not None and item not in chosen:
            chosen.append(item)
        if len(chosen) == keep:
            break
    return chosen


def merge_in_tree(
    hierarchy: Hierarchy, target_of: dict[int, int], topics: dict[int, Topic], emptied: frozenset[int] = frozenset()
) -> Hierarchy:
    """The tree with merged (or ``emptied``) topics' leaves gone (a merge's target stays where it
    was), themes left without topics removed, and every node's topics and size recomputed."""
    tree = hierarchy.model_copy(deep=True)
    nodes = {node.id: node for node in tree.nodes}
    gone = {f"t{m}" for m, t in target_of.items() if m != t} | {f"t{t}" for t in emptied}
    while gone:
        for node_id in gone:
            parent = nodes[node_id].parent
            if parent in nodes:
                nodes[parent].children = [c for c in nodes[parent].children if c != node_id]
            nodes.pop(node_id, None)
        gone = {n.id for n in nodes.values() if n.level not in ("root", "fine") and not n.children}
    for node in nodes.values():
        node.topics = sorted({target_of.get(t, t) for t in node.topics} - emptied)
        node.size = sum(topics[t].size for t in node.topics if t in topics)
        if node.level == "fine" and node.topics and node.topics[0] in topics:
            leaf = topics[node.topics[0]]
            node.label, node.named_by, node.terms, node.x, node.y = (
                leaf.label,
                leaf.named_by,
                leaf.terms,
                leaf.x,
                leaf.y,
            )
    tree.nodes = [node for node in tree.nodes if node.id in nodes]
    return tree


def move_documents(
    topic_map: TopicMap, table: TermTable, document_ids: list[str], destination: int
) -> tuple[TopicMap, TermTable]:
    """Move documents to topic ``destination``, as core members of it (a person placed them).

    Their term presence leaves their old topics' counts (when they were core members there) and
    joins the destination's; the topics that lost or gained documents get their size, position,
    terms and (unless a person named them) label again; a topic left empty is removed.
    """
    if table.presence is None:
        raise RegroupError("this map kept no per-document terms (over 200,000 documents, or made earlier)")
    if destination < 0 or destination not in {t.id for t in topic_map.topics}:
        raise RegroupError(f"the map has no topic {destination}")
    row_of = {doc_id: row for row, doc_id in enumerate(topic_map.documents.id)}
    unknown = [d for d in document_ids if d not in row_of]
    if unknown:
        raise RegroupError(f"the map has no document {unknown[0]!r}")
    edited = topic_map.model_copy(deep=True)
    docs = edited.documents
    counts = table.counts.tolil().astype(np.int64)
    row_of_topic = {t: i for i, t in enumerate(table.topic_ids)}
    touched = {destination}
    for row in sorted({row_of[d] for d in document_ids}):
        old = docs.topic[row]
        if old == destination:
            continue
        if old >= 0 and not docs.outlier[row] and old in row_of_topic:
            counts[row_of_topic[old]] = counts[row_of_topic[old]] - table.presence[row]
        counts[row_of_topic[destination]] = counts[row_of_topic[destination]] + table.presence[row]
        docs.topic[row], docs.outlier[row] = destination, False
        touched.add(old)
    new_table = TermTable(table.vocabulary, table.topic_ids, counts.tocsr(), table.presence)
    weights = class_tfidf(new_table.counts)
    topic_of_doc, xs, ys = np.asarray(docs.topic), np.asarray(docs.x), np.asarray(docs.y)
    moved = set(document_ids)
    topics = {t.id: t for t in edited.topics}
    emptied = set()
    for topic_id in sorted(touched):
        topic = topics.get(topic_id)
        inside = topic_of_doc == topic_id
        if topic is None:
            continue
        if not inside.any():
            emptied.add(topic_id)
            continue
        topic.size = int(inside.sum())
        topic.x, topic.y = round(float(np.median(xs[inside])), 4), round(float(np.median(ys[inside])), 4)
        if topic_id >= 0:
            terms = top_terms(weights.getrow(row_of_topic[topic_id]), table.vocabulary, len(topic.terms) or 10)
            topic.terms = [Term(term=term, weight=weight) for term, weight in terms]
            if topic.named_by == "terms":
                topic.label = readable_label([t for t, _ in terms]) or f"Topic {topic_id}"
        topic.representative_documents = [
            d for d in topic.representative_documents if d not in moved or topic_id == destination
        ]
    edited.topics = [t for t in edited.topics if t.id not in emptied]
    if emptied:
        keep = [i for i, t in enumerate(new_table.topic_ids) if t not in emptied]
        new_table = TermTable(
            table.vocabulary, [new_table.topic_ids[i] for i in keep], new_table.counts[keep], table.presence
        )
    if edited.hierarchy is not None:
        edited.hierarchy = merge_in_tree(edited.hierarchy, {}, topics, frozenset(emptied))
    quality = edited.meta.quality
    quality.n_topics = sum(1 for t in edited.topics if t.id >= 0)
    quality.unassigned_share = round(float((topic_of_doc < 0).mean()), 6)
    return edited, new_table


def reduce_groups(topic_map: TopicMap, table: TermTable, n_topics: int) -> list[list[int]]:
    """Groups that bring the map to at most ``n_topics`` topics: the smallest topic joins the one
    whose c-TF-IDF vector is most similar (cosine), until few enough remain (BERTopic's
    ``reduce_topics`` works the same way, on embeddings or c-TF-IDF). A merged topic's vector is
    the sum of its topics'; similarities come from their Gram matrix, updated per merge."""
    sizes = {t.id: t.size for t in topic_map.topics if t.id >= 0}
    active = [t for t in table.topic_ids if t in sizes]
    if len(active) <= n_topics:
        return []
    row_of = {t: i for i, t in enumerate(table.topic_ids)}
    vectors = class_tfidf(table.counts)[[row_of[t] for t in active]]
    gram = (vectors @ vectors.T).toarray()
    size = np.array([sizes[t] for t in active], dtype=np.float64)
    alive = np.ones(len(active), dtype=bool)
    members = [[t] for t in active]
    for _ in range(len(active) - n_topics):
        candidates = np.flatnonzero(alive)
        smallest = candidates[np.lexsort((np.array(active)[candidates], size[candidates]))[0]]
        others = candidates[candidates != smallest]
        norms = np.sqrt(np.maximum(gram[others, others] * gram[smallest, smallest], 1e-300))
        target = others[int(np.argmax(gram[smallest, others] / norms))]
        gram[target, :] += gram[smallest, :]
        gram[:, target] += gram[:, smallest]
        size[target] += size[smallest]
        members[target] += members[smallest]
        alive[smallest] = False
    return [sorted(members[i]) for i in np.flatnonzero(alive) if len(members[i]) > 1]
