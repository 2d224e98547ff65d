"""The topic hierarchy after an edit regrouped topics (topicmap/edits/regroup.py): what it holds, and
the names and places of the themes that changed.

A merge keeps its target's leaf where it was and removes the others; a theme left without topics is
removed. Every theme's topics are then those of the leaves under it, so a topic merged into one from
another theme belongs to its target's theme only (it used to stay listed, and counted, in its old
theme too). A theme whose topics changed, or took in another theme's documents, is named again as
the pipeline names themes (topicmap/theme_labels.py, from the stored term counts; a person's name
stays) and placed again on the topic where its documents are densest (topicmap/anchors.py).
"""

from __future__ import annotations

from topicmap.anchors import map_anchors
from topicmap.schemas import Hierarchy, HierarchyNode, Term, Topic, TopicMap
from topicmap.terms import TermTable, readable_label
from topicmap.theme_labels import MAX_TOPIC_SHARE, common_terms, level_terms, named_topics, shared_label

LEVELS_UP = ("fine", "medium", "coarse", "root")
"""The levels from the leaves up: a node's topics are those of its children."""


def regroup_tree(
    edited: TopicMap,
    target_of: dict[int, int],
    topics: dict[int, Topic],
    table: TermTable | None,
    emptied: frozenset[int] = frozenset(),
) -> Hierarchy | None:
    """``edited``'s hierarchy after topics merged (``target_of``: each merged topic's target) or
    emptied: leaves gone, empty themes removed, topics and sizes recomputed, changed themes named and
    placed again (named only when the term counts are at hand)."""
    if edited.hierarchy is None:
        return None
    tree, changed = merge_in_tree(edited.hierarchy, target_of, topics, emptied)
    changed &= {node.id for node in drop_redundant_levels(tree)}
    if changed:
        if table is not None:
            name_themes(tree, changed, edited, table)
        place_themes(tree, changed, edited)
    return tree


def merge_in_tree(
    hierarchy: Hierarchy, target_of: dict[int, int], topics: dict[int, Topic], emptied: frozenset[int] = frozenset()
) -> tuple[Hierarchy, set[str]]:
    """The tree with merged (or ``emptied``) topics' leaves gone (a merge's target stays where it
    was), themes left without topics removed, every node's topics (its leaves') and size
    recomputed; and the themes whose documents changed."""
    tree = hierarchy.model_copy(deep=True)
    nodes = {node.id: node for node in tree.nodes}
    before = {node.id: set(node.topics) for node in tree.nodes}
    gone = {f"t{m}" for m, t in target_of.items() if m != t} | {f"t{t}" for t in emptied}
    while gone:
        for node_id in gone:
            parent = nodes[node_id].parent
            if parent in nodes:
                nodes[parent].children = [c for c in nodes[parent].children if c != node_id]
            nodes.pop(node_id, None)
        gone = {n.id for n in nodes.values() if n.level not in ("root", "fine") and not n.children}
    grown = {t for m, t in target_of.items() if m != t}  # topics that took in others' documents
    for level in LEVELS_UP:
        for node in (n for n in nodes.values() if n.level == level):
            if level != "fine":
                node.topics = sorted({t for child in node.children if child in nodes for t in nodes[child].topics})
            node.size = sum(topics[t].size for t in node.topics if t in topics)
    for node in (n for n in nodes.values() if n.level == "fine" and n.topics and n.topics[0] in topics):
        leaf = topics[node.topics[0]]
        node.label, node.named_by, node.terms, node.x, node.y = leaf.label, leaf.named_by, leaf.terms, leaf.x, leaf.y
    changed = {
        n.id
        for n in nodes.values()
        if n.level in ("medium", "coarse") and (set(n.topics) != before[n.id] or grown & set(n.topics))
    }
    tree.nodes = [node for node in tree.nodes if node.id in nodes]
    return tree, changed


def drop_redundant_levels(tree: Hierarchy) -> list[HierarchyNode]:
    """Without the levels that merges left with nothing to add: one theme per node of the level below
    (reduced to 8 topics, a map had 8 medium themes of one topic each, the topics again under other
    names), or one theme for all. A level with a theme a person named stays. Returns the nodes left."""
    nodes = {node.id: node for node in tree.nodes}
    for level in ("medium", "coarse"):
        themes = [n for n in tree.nodes if n.level == level and n.id in nodes]
        if not themes or any(n.named_by == "person" for n in themes):
            continue
        if len(themes) > 1 and any(len(n.children) != 1 for n in themes):
            continue
        for theme in themes:
            parent = nodes[theme.parent or "root"]
            for child in theme.children:
                nodes[child].parent = parent.id
            parent.children = [c for c in parent.children if c != theme.id] + theme.children
            del nodes[theme.id]
        for parent_id in {theme.parent or "root" for theme in themes}:
            nodes[parent_id].children.sort(key=lambda child: -nodes[child].size)
        tree.levels = [kept for kept in tree.levels if kept != level]
    tree.nodes = [node for node in tree.nodes if node.id in nodes]
    return tree.nodes


def name_themes(tree: Hierarchy, changed: set[str], topic_map: TopicMap, table: TermTable) -> None:
    """Terms and (unless a person named it) a label for each ``changed`` theme, as the pipeline's:
    c-TF-IDF over its level's themes, then what most of its topics share."""
    topic_rows = [i for i, t in enumerate(table.topic_ids) if t >= 0]  # the outliers' row names nothing
    counts = table.counts[topic_rows]
    row_of = {table.topic_ids[i]: row for row, i in enumerate(topic_rows)}
    topic_terms = {t.id: [(term.term, term.weight) for term in t.terms] for t in topic_map.topics}
    topic_labels = {t.id: t.label for t in topic_map.topics}
    size_of = {t.id: t.size for t in topic_map.topics}
    common = common_terms(counts, table.vocabulary, MAX_TOPIC_SHARE)
    for level in ("medium", "coarse"):
        level_nodes = [n for n in tree.nodes if n.level == level]
        if not any(n.id in changed for n in level_nodes):
            continue
        rows = [[row_of[t] for t in n.topics if t in row_of] for n in level_nodes]
        for node, terms in zip(level_nodes, level_terms(rows, counts, table.vocabulary), strict=True):
            if node.id not in changed:
                continue
            node.terms = [Term(term=term, weight=weight) for term, weight in terms]
            if node.named_by != "person":
                words = [term for term, _ in terms]
                label = shared_label(node.topics, words, topic_terms, topic_labels, size_of, common)
                node.label = label or readable_label(words) or f"Theme {node.id}"


def place_themes(tree: Hierarchy, changed: set[str], topic_map: TopicMap) -> None:
    """Each ``changed`` theme on the topic where its documents are densest (one level at a time: the
    themes of one level share no topics)."""
    centres = {t.id: (t.x, t.y) for t in topic_map.topics if t.id >= 0}
    labels, sizes = {t.id: t.label for t in topic_map.topics}, {t.id: t.size for t in topic_map.topics}
    for level in ("medium", "coarse"):
        themes: list[HierarchyNode] = [n for n in tree.nodes if n.level == level and n.id in changed]
        if not themes:
            continue
        named = [named_topics(n.label, n.topics, labels, sizes) for n in themes]
        anchors = map_anchors(topic_map.documents, [n.topics for n in themes], centres, named)
        for node, anchor in zip(themes, anchors, strict=True):
            if anchor is not None:
                node.x, node.y = anchor
