"""Regroup a map's topics without embedding again: merge, reduce to N, move documents, split.

Pure functions of a map version and its term counts (topicmap/terms.py), light enough for the API
process: a merged topic's counts are the sum of its topics' (their core documents are disjoint), so
its terms and label come from c-TF-IDF as the pipeline's do, without reading the texts. What
changes is recomputed: documents' topics, the merged topic's size, position (on the member topic
where its documents are densest: topicmap/anchors.py), terms, label and representative documents
(the merged topics' own, interleaved, largest topic first: the nearest to a merged centroid would
need the embeddings), the hierarchy (topicmap/edits/tree.py), and the topic count and diversity.
Untouched topics keep everything, a person's label too. NPMI coherence is scored again from the
documents' stored term presence when it is kept. A split (topicmap/edits/split.py) re-clusters one
topic's documents by k-means on their stored embeddings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from topicmap.anchors import map_anchors
from topicmap.edits.tree import regroup_tree
from topicmap.errors import Conflict, Invalid, NotFound
from topicmap.schemas import Term, Topic, TopicMap
from topicmap.terms import TermTable, class_tfidf, generic_terms, npmi_of_columns, row_label, top_terms
from topicmap.theme_labels import merged_label, named_topics


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
                raise NotFound(f"the map has no topic {member}")
            if member in target_of:
                raise Invalid(f"topic {member} is in two merges")
        target = max(group, key=lambda t: (by_id[t].size, -t))
        target_of.update(dict.fromkeys(group, target))
        if labels and group[0] in labels:
            named[target] = labels[group[0]]
    missing = [t for t in target_of if t not in table.topic_ids]
    if missing:
        raise Invalid(f"the stored term counts have no topic {missing[0]}")

    edited = topic_map.model_copy(deep=True)
    docs = edited.documents
    docs.topic = [target_of.get(t, t) for t in docs.topic]
    new_table = merged_table(table, target_of)
    weights = class_tfidf(new_table.counts, idf_from=table.counts)
    topic_of_doc = np.asarray(docs.topic)
    topics = {t.id: t for t in edited.topics}
    members_of = {
        target: sorted((m for m, t in target_of.items() if t == target), key=lambda m: (-by_id[m].size, m))
        for target in sorted(set(target_of.values()))
    }
    # The genre's words as the map before the merge tells them, too: merged down to two or three
    # topics, no term is in "most topics" and a merge of four sections read "package · provides · library".
    generic = generic_terms(new_table.counts, new_table.topic_ids, docs.topic, new_table.vocabulary) | generic_terms(
        table.counts, table.topic_ids, topic_map.documents.topic, table.vocabulary
    )
    for target, members in members_of.items():
        merged = topics[target]
        n_terms = len(merged.terms) or 10
        at = new_table.topic_ids.index(target)
        row = weights.getrow(at)
        merged.terms = [
            Term(term=term, weight=weight) for term, weight in top_terms(row, new_table.vocabulary, n_terms)
        ]
        if target in named:
            merged.label, merged.named_by = named[target], "person"
        else:
            label = row_label(row, new_table.vocabulary, generic, new_table.counts.getrow(at)) or merged.label
            tops = {m: [term.term for term in by_id[m].terms] for m in members}
            labels = {m: by_id[m].label for m in members}
            label = merged_label(label, tops, labels, {m: by_id[m].size for m in members}, generic)
            merged.label, merged.named_by = label, "terms"
        inside = topic_of_doc == target
        merged.size = int(inside.sum())
        lists = [by_id[m].representative_documents for m in members]
        keep = len(by_id[target].representative_documents) or 5
        merged.representative_documents = interleave(lists, keep)
    merged_labels = {target: topics[target].label for target in members_of}
    for target, (x, y) in label_positions(members_of, topic_map, by_id, merged_labels).items():
        topics[target].x, topics[target].y = x, y
    edited.topics = [t for t in edited.topics if target_of.get(t.id, t.id) == t.id]
    edited.hierarchy = regroup_tree(edited, target_of, topics, new_table)
    rescore(edited, new_table)
    return edited, new_table


def rescore(edited: TopicMap, table: TermTable) -> None:
    """The map's quality after a regrouping: topic count, unassigned share, diversity, and NPMI
    coherence from the documents' stored term presence (the labels' analyser: the pipeline's score
    also finds a two-word term across punctuation, so the two can differ a little; left as it was
    when the presence is not kept)."""
    quality = edited.meta.quality
    topics = [t for t in edited.topics if t.id >= 0]
    quality.n_topics = len(topics)
    quality.unassigned_share = round(float((np.asarray(edited.documents.topic) < 0).mean()), 6)
    all_terms = [term.term for t in topics for term in t.terms]
    quality.diversity = round(len(set(all_terms)) / len(all_terms), 6) if all_terms else 0.0
    if table.presence is not None:
        column = {term: i for i, term in enumerate(table.vocabulary)}
        columns = [[column[term.term] for term in t.terms if term.term in column] for t in topics]
        quality.npmi = round(npmi_of_columns(table.presence, columns), 6)


def label_positions(
    groups: dict[int, list[int]], before: TopicMap, by_id: dict[int, Topic], labels: dict[int, str]
) -> dict[int, tuple[float, float]]:
    """Where each merged topic's label (``labels``: by the group's target) goes: on the member topic
    where the merged documents are densest (topicmap/anchors.py, as a theme's label), or on one it
    names ("font, haskell and 8 more"), not at the median of them all, which falls in the gap between
    members the layout put apart. One pass over ``before``'s documents for every group."""
    centres = {m: (by_id[m].x, by_id[m].y) for members in groups.values() for m in members}
    member_labels, sizes = {m: by_id[m].label for m in centres}, {m: by_id[m].size for m in centres}
    named = [named_topics(labels[target], members, member_labels, sizes) for target, members in groups.items()]
    anchors = map_anchors(before.documents, list(groups.values()), centres, named)
    return {
        target: anchor or centres[members[0]] for (target, members), anchor in zip(groups.items(), anchors, strict=True)
    }


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


def move_documents(
    topic_map: TopicMap, table: TermTable, document_ids: list[str], destination: int
) -> tuple[TopicMap, TermTable]:
    """Move documents to topic ``destination``, as core members of it (a person placed them).

    Their term presence leaves their old topics' counts (when they were core members there) and
    joins the destination's; the topics that lost or gained documents get their size, position,
    terms and (unless a person named them) label again; a topic left empty is removed.
    """
    if table.presence is None:
        raise Conflict("this map kept no per-document terms (over 200,000 documents, or made earlier)")
    if destination < 0 or destination not in {t.id for t in topic_map.topics}:
        raise NotFound(f"the map has no topic {destination}")
    row_of = {doc_id: row for row, doc_id in enumerate(topic_map.documents.id)}
    unknown = [d for d in document_ids if d not in row_of]
    if unknown:
        raise NotFound(f"the map has no document {unknown[0]!r}")
    edited = topic_map.model_copy(deep=True)
    docs = edited.documents
    row_of_topic = {t: i for i, t in enumerate(table.topic_ids)}
    touched = {destination}
    # One product: a topic x document matrix of -1 (a core member leaves) and +1 (it joins) times
    # the documents' term presence is the change to every topic's counts.
    change_rows: list[int] = []
    change_docs: list[int] = []
    change_signs: list[int] = []
    for row in sorted({row_of[d] for d in document_ids}):
        old = docs.topic[row]
        if old == destination:
            continue
        if old >= 0 and not docs.outlier[row] and old in row_of_topic:
            change_rows.append(row_of_topic[old])
            change_docs.append(row)
            change_signs.append(-1)
        change_rows.append(row_of_topic[destination])
        change_docs.append(row)
        change_signs.append(1)
        docs.topic[row], docs.outlier[row] = destination, False
        touched.add(old)
    change = sp.csr_matrix(
        (change_signs, (change_rows, change_docs)), shape=(len(table.topic_ids), table.presence.shape[0])
    )
    counts = (table.counts.astype(np.int64) + change @ table.presence.astype(np.int64)).tocsr()
    counts.eliminate_zeros()
    new_table = TermTable(table.vocabulary, table.topic_ids, counts, table.presence)
    emptied = refresh_topics(edited, new_table, touched, moved=document_ids)
    topics = {t.id: t for t in edited.topics}
    edited.topics = [t for t in edited.topics if t.id not in emptied]
    if emptied:
        keep = [i for i, t in enumerate(new_table.topic_ids) if t not in emptied]
        new_table = TermTable(
            table.vocabulary, [new_table.topic_ids[i] for i in keep], new_table.counts[keep], table.presence
        )
    edited.hierarchy = regroup_tree(edited, {}, topics, new_table, frozenset(emptied))
    rescore(edited, new_table)
    return edited, new_table


def refresh_topics(edited: TopicMap, table: TermTable | None, touched: set[int], moved: Sequence[str] = ()) -> set[int]:
    """Size, position and (from ``table``'s counts, when given) terms and label, unless a person
    named it, of each ``touched`` topic after documents joined or left it; the ``moved`` documents
    leave the representatives of the topics they left. Returns the topics left without documents."""
    docs = edited.documents
    weights = class_tfidf(table.counts) if table is not None else None
    row_of_topic = {t: i for i, t in enumerate(table.topic_ids)} if table is not None else {}
    generic = generic_terms(table.counts, table.topic_ids, docs.topic, table.vocabulary) if table else frozenset()
    topic_of_doc, xs, ys = np.asarray(docs.topic), np.asarray(docs.x), np.asarray(docs.y)
    now_in = {}
    if moved:
        row_of = {doc_id: row for row, doc_id in enumerate(docs.id)}
        now_in = {d: docs.topic[row_of[d]] for d in moved if d in row_of}
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
        if topic_id >= 0 and weights is not None and table is not None and topic_id in row_of_topic:
            row = weights.getrow(row_of_topic[topic_id])
            terms = top_terms(row, table.vocabulary, len(topic.terms) or 10)
            topic.terms = [Term(term=term, weight=weight) for term, weight in terms]
            if topic.named_by == "terms":
                documents = table.counts.getrow(row_of_topic[topic_id])
                topic.label = (
                    row_label(row, table.vocabulary, generic, documents) or topic.label
                )  # no terms: as labelled
        topic.representative_documents = [
            d for d in topic.representative_documents if now_in.get(d, topic_id) == topic_id
        ]
    return emptied


def reduce_groups(topic_map: TopicMap, table: TermTable, n_topics: int) -> list[list[int]]:
    """Groups that bring the map to at most ``n_topics`` topics: Ward linkage of the topics'
    unit-length c-TF-IDF vectors, cut at ``n_topics`` (the pipeline's ``n_topics`` merges its
    clusters by Ward linkage of their centroids). Merging the smallest topic into the most similar
    until few enough remained (BERTopic's ``reduce_topics``) grew one topic over the others: 5,000
    Debian descriptions reduced to 8 topics had 53% of them in one (Ward: 23%; docs/benchmarks.md,
    "Fewer topics")."""
    from scipy.cluster.hierarchy import cut_tree, linkage
    from scipy.spatial.distance import squareform

    active, vectors = topic_vectors(topic_map, table)
    if len(active) <= n_topics:
        return []
    gram = (vectors @ vectors.T).toarray()
    norms = np.sqrt(np.maximum(np.diag(gram), 1e-300))
    cosine = gram / np.outer(norms, norms)
    distance = np.sqrt(np.maximum(2.0 - 2.0 * cosine, 0.0))  # between unit vectors
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="ward")
    groups = cut_tree(tree, n_clusters=[n_topics]).ravel()  # the merges in order: exactly n_topics, ties too
    members: dict[int, list[int]] = {}
    for topic, group in zip(active, groups.tolist(), strict=True):
        members.setdefault(group, []).append(topic)
    return sorted(sorted(group) for group in members.values() if len(group) > 1)


def topic_vectors(topic_map: TopicMap, table: TermTable) -> tuple[list[int], sp.csr_matrix]:
    """The map's topics (not -1, in the table's order) and their c-TF-IDF vectors, one row each."""
    sizes = {t.id: t.size for t in topic_map.topics if t.id >= 0}
    active = [t for t in table.topic_ids if t in sizes]
    row_of = {t: i for i, t in enumerate(table.topic_ids)}
    return active, sp.csr_matrix(class_tfidf(table.counts)[[row_of[t] for t in active]])
