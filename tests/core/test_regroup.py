"""Merging topics and reducing a map from the stored term counts (topicmap/edits/regroup.py, operations.py)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from pydantic import ValidationError

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.edits.operations import Edited, EditRequest, Merge, Reduce, Rename, Split, apply_edits, rename
from topicmap.edits.regroup import merge_groups, move_documents, reduce_groups
from topicmap.edits.split import split_topic
from topicmap.errors import Conflict, Invalid, NotFound
from topicmap.pipeline.hierarchy import acceptable_label
from topicmap.pipeline.metrics import npmi_coherence
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams, Term, Topic, TopicMap
from topicmap.terms import TermTable, class_tfidf, presence_from_bytes, presence_to_bytes, top_terms
from topicmap.theme_labels import largest_topics_label, merged_label

EMBEDDINGS: list[npt.NDArray[np.float32]] = []


@pytest.fixture(scope="module")
def fitted() -> tuple[TopicMap, TermTable]:
    texts, _ = planted_corpus(40)
    tables: list[TermTable] = []
    ids = [f"d{i}" for i in range(len(texts))]
    topic_map = run_pipeline(
        texts,
        ids,
        PipelineParams(),
        encoder=HashingEncoder(),
        on_terms=tables.append,
        on_embedded=EMBEDDINGS.append,
    )
    return topic_map, tables[0]


def test_the_term_counts_survive_a_round_trip(fitted: tuple[TopicMap, TermTable]) -> None:
    _, table = fitted
    again = TermTable.from_bytes(table.to_bytes())
    assert again.topic_ids == table.topic_ids and list(again.vocabulary) == list(table.vocabulary)
    assert (again.counts != table.counts).nnz == 0


def test_merging_two_topics_recomputes_what_changed(fitted: tuple[TopicMap, TermTable]) -> None:
    topic_map, table = fitted
    named = rename(topic_map, Rename(op="rename", topic=2, label="Kept by a person"))
    first, second = sorted(topic_map.topics, key=lambda t: -t.size)[:2]
    merged, new_table = merge_groups(named, table, [[second.id, first.id]])
    ids = [t.id for t in merged.topics]
    assert first.id in ids and second.id not in ids  # the largest keeps its id
    result = next(t for t in merged.topics if t.id == first.id)
    assert result.size == first.size + second.size
    assert merged.documents.topic.count(first.id) == result.size and second.id not in merged.documents.topic
    summed = table.counts[[table.topic_ids.index(first.id), table.topic_ids.index(second.id)]].sum(axis=0)
    row = new_table.topic_ids.index(first.id)
    assert (new_table.counts.getrow(row).toarray() == summed).all()
    weights = class_tfidf(new_table.counts, idf_from=table.counts)  # the IDF of the topics before the merge
    expected = top_terms(weights.getrow(row), new_table.vocabulary, len(first.terms))
    assert [(t.term, t.weight) for t in result.terms] == expected  # c-TF-IDF over the merged counts
    assert result.named_by == "terms" and result.label
    assert result.representative_documents[:2] == [
        first.representative_documents[0],
        second.representative_documents[0],
    ]
    assert merged.meta.quality.n_topics == topic_map.meta.quality.n_topics - 1
    merged_terms = [[term.term for term in t.terms] for t in merged.topics if t.id >= 0]
    texts, _ = planted_corpus(40)
    assert merged.meta.quality.npmi == round(npmi_coherence(texts, merged_terms), 6)  # rescored, as the pipeline
    assert merged.meta.quality.npmi != topic_map.meta.quality.npmi
    untouched = next(t for t in merged.topics if t.id == 2) if 2 not in (first.id, second.id) else None
    if untouched is not None:
        assert untouched.label == "Kept by a person" and untouched.named_by == "person"  # a person's label survives
    assert merged.hierarchy is not None
    leaves = {n.id for n in merged.hierarchy.nodes if n.level == "fine"}
    assert f"t{second.id}" not in leaves and f"t{first.id}" in leaves
    root = merged.hierarchy.nodes[0]
    assert root.size == sum(t.size for t in merged.topics if t.id >= 0)
    assert all(n.children or n.level == "fine" for n in merged.hierarchy.nodes)  # no empty themes left


def test_a_merged_topic_is_labelled_on_its_documents_not_between_them(fitted: tuple[TopicMap, TermTable]) -> None:
    """Two topics the layout put far apart: the median of their documents is in the gap between them
    (on the page, a label over empty space); the merged label goes on the denser member instead."""
    topic_map, table = fitted
    topics = [t for t in topic_map.topics if t.id >= 0]
    first, second = max(
        ((a, b) for a in topics for b in topics if a.id < b.id),
        key=lambda p: (p[0].x - p[1].x) ** 2 + (p[0].y - p[1].y) ** 2,
    )
    merged, _ = merge_groups(topic_map, table, [[first.id, second.id]])
    result = next(t for t in merged.topics if t.id in (first.id, second.id))
    assert (result.x, result.y) in {(first.x, first.y), (second.x, second.y)}
    inside = np.isin(topic_map.documents.topic, [first.id, second.id])
    xs, ys = np.asarray(topic_map.documents.x)[inside], np.asarray(topic_map.documents.y)[inside]
    median = np.array([np.median(xs), np.median(ys)])
    nearest_to_median = np.min(np.hypot(xs - median[0], ys - median[1]))
    nearest_to_label = np.min(np.hypot(xs - result.x, ys - result.y))
    assert nearest_to_label < nearest_to_median  # the median lies off the documents, the label on them


def test_a_topic_merged_from_another_theme_leaves_it_and_the_themes_are_named_again(
    fitted: tuple[TopicMap, TermTable],
) -> None:
    """Merging a topic into one of another coarse theme: it used to stay listed (and counted) in its
    old theme, whose name still named it ("moon and stock" after "stock" had left)."""
    topic_map, table = fitted
    assert topic_map.hierarchy is not None
    coarse = [n for n in topic_map.hierarchy.nodes if n.level == "coarse" and len(n.topics) >= 2]
    assert len(coarse) >= 2, "the planted map has two themes of two topics"
    source_theme, target_theme = coarse[0], coarse[1]
    moved, target = source_theme.topics[-1], target_theme.topics[0]
    merged, _ = merge_groups(topic_map, table, [[target, moved]])
    assert merged.hierarchy is not None
    nodes = {n.id: n for n in merged.hierarchy.nodes}
    topic_ids = sorted(t.id for t in merged.topics if t.id >= 0)
    for level in merged.hierarchy.levels:  # each level's themes share the topics out, none twice
        level_nodes = [n for n in merged.hierarchy.nodes if n.level == level]
        assert sorted(t for n in level_nodes for t in n.topics) == topic_ids, level
        assert sum(n.size for n in level_nodes) == nodes["root"].size
    source, grown = nodes[source_theme.id], nodes[target_theme.id]
    assert moved not in source.topics and source.size == source_theme.size - next(
        t.size for t in topic_map.topics if t.id == moved
    )
    terms = {t.id: [(term.term, term.weight) for term in t.terms] for t in merged.topics}
    labels = {t.id: t.label for t in merged.topics}
    for theme in (source, grown):  # named by what their topics now are: the pipeline's own test
        assert acceptable_label(theme.label, theme.topics, terms, labels), (theme.label, theme.topics)
        assert (theme.x, theme.y) in {(t.x, t.y) for t in merged.topics if t.id in theme.topics}
    assert source.label != source_theme.label


def edit_version_1(topic_map: TopicMap, operation: Merge | Reduce, table: TermTable | None) -> Edited:
    return apply_edits(topic_map, [operation], lambda k: topic_map, latest_number=1, load_terms=lambda k: table)


def test_merge_errors(fitted: tuple[TopicMap, TermTable]) -> None:
    topic_map, table = fitted
    with pytest.raises(NotFound, match="no topic 99"):
        merge_groups(topic_map, table, [[0, 99]])
    with pytest.raises(ValidationError, match="listed twice"):
        EditRequest.model_validate({"operations": [{"op": "merge", "topics": [1, 1]}]})
    with pytest.raises(ValidationError):
        EditRequest.model_validate({"operations": [{"op": "merge", "topics": [1]}]})
    with pytest.raises(NotFound, match="no topic 99"):
        edit_version_1(topic_map, Merge(op="merge", topics=[0, 99]), table)
    with pytest.raises(Conflict, match="run the job again"):
        edit_version_1(topic_map, Merge(op="merge", topics=[0, 1]), None)  # a map stored before term counts


def test_reduce_merges_by_ward_linkage_of_the_topics_terms(fitted: tuple[TopicMap, TermTable]) -> None:
    """One topic fewer: the two whose c-TF-IDF vectors are the most alike merge (Ward's first step)."""
    topic_map, table = fitted
    n = topic_map.meta.quality.n_topics
    assert n >= 3
    groups = reduce_groups(topic_map, table, n - 1)
    vectors = class_tfidf(table.counts).toarray()
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = [table.topic_ids.index(t.id) for t in topic_map.topics if t.id >= 0]
    cosine = vectors[rows] @ vectors[rows].T
    np.fill_diagonal(cosine, -1)
    a, b = np.unravel_index(int(np.argmax(cosine)), cosine.shape)
    ids = [t.id for t in topic_map.topics if t.id >= 0]
    assert groups == [sorted([ids[a], ids[b]])]
    edited = edit_version_1(topic_map, Reduce(op="reduce", n_topics=2), table)
    assert edited.topic_map.meta.quality.n_topics == 2 and edited.terms is not None
    assert len(edited.terms.topic_ids) == len(edited.topic_map.topics)
    unchanged = edit_version_1(topic_map, Reduce(op="reduce", n_topics=n + 5), table)
    assert unchanged.topic_map is topic_map and unchanged.terms is table  # nothing to merge: the same map


def described(topic_id: int, size: int, *terms: str) -> Topic:
    return Topic(
        id=topic_id, label=" · ".join(terms[:3]), terms=[Term(term=t, weight=1.0) for t in terms], size=size,
        x=0.0, y=0.0, representative_documents=[],
    )  # fmt: skip


def label_of_merge(label: str, topics: list[Topic], generic: frozenset[str]) -> str:
    tops = {t.id: [term.term for term in t.terms] for t in topics}
    return merged_label(label, tops, {t.id: t.label for t in topics}, {t.id: t.size for t in topics}, generic)


def test_topics_merged_across_subjects_are_named_as_a_theme_is() -> None:
    """Reduced to two topics, ten sections of package descriptions were "package provides · language ·
    haskell": the summed counts' top terms are a few members' words. Kept while half the members
    have one of them; else what half share, or the largest: "font, haskell and 2 more"."""
    audio = [
        described(1, 60, "audio", "plugins", "lv2"),
        described(2, 50, "sound", "mixer", "pulseaudio"),
        described(3, 40, "mp3", "audio", "ogg"),
        described(4, 30, "pd", "pure data", "objects"),
    ]
    assert label_of_merge("audio · sound · music", audio, frozenset()) == "audio · sound · music"
    subjects = [
        described(5, 300, "font", "truetype", "glyphs", "package"),
        described(6, 298, "haskell", "programming language", "package"),
        described(7, 295, "game", "player", "data files", "package"),
        described(8, 280, "midi", "sequencer", "alsa", "package"),
    ]
    label = "package provides · language · haskell"
    assert label_of_merge(label, subjects, frozenset({"package"})) == "font, haskell and 2 more"
    assert label_of_merge(label, subjects, frozenset()) == "package"  # what they all share, were it not the genre's
    assert label_of_merge("font · haskell", subjects[:2], frozenset()) == "font · haskell"  # two: each names one
    merged = {1: "crate, golang and 18 more", 2: "javascript and ruby", 3: "font · truetype · glyphs"}
    assert largest_topics_label([1, 2, 3], merged, {1: 900, 2: 800, 3: 100}) == "crate, javascript and 1 more"


def test_a_level_with_one_theme_per_topic_is_dropped_unless_a_person_named_one(
    fitted: tuple[TopicMap, TermTable],
) -> None:
    """Reduced to 2 topics, the map had 2 coarse themes of one topic each: the topics again, under
    other names, offered as a level of its own."""
    topic_map, table = fitted
    assert topic_map.hierarchy is not None and topic_map.hierarchy.levels == ["coarse", "fine"]
    three = edit_version_1(topic_map, Reduce(op="reduce", n_topics=3), table).topic_map
    assert three.hierarchy is not None and three.hierarchy.levels == ["coarse", "fine"]  # 2 themes of 3 topics
    reduced = edit_version_1(topic_map, Reduce(op="reduce", n_topics=2), table).topic_map
    assert reduced.hierarchy is not None and reduced.hierarchy.levels == ["fine"]
    nodes = {n.id: n for n in reduced.hierarchy.nodes}
    topics = sorted((t for t in reduced.topics if t.id >= 0), key=lambda t: -t.size)
    assert set(nodes) == {"root"} | {f"t{t.id}" for t in topics}
    assert nodes["root"].children == [f"t{t.id}" for t in topics]
    assert all(nodes[f"t{t.id}"].parent == "root" for t in topics)

    theme = next(n.id for n in topic_map.hierarchy.nodes if n.level == "coarse")
    named = apply_edits(
        topic_map,
        [Rename(op="rename", node=theme, label="Space and markets"), Reduce(op="reduce", n_topics=2)],
        lambda k: topic_map,
        latest_number=1,
        load_terms=lambda k: table,
    ).topic_map
    assert named.hierarchy is not None and named.hierarchy.levels == ["coarse", "fine"]
    assert any(n.label == "Space and markets" for n in named.hierarchy.nodes)


def test_moving_documents_moves_their_terms_too(fitted: tuple[TopicMap, TermTable]) -> None:
    topic_map, table = fitted
    assert table.presence is not None and table.presence.shape[0] == len(topic_map.documents.id)
    again = presence_from_bytes(presence_to_bytes(table.presence))
    assert (again != table.presence).nnz == 0
    docs = topic_map.documents
    source = next(t for t in topic_map.topics if t.id == 1)
    rows = [i for i, t in enumerate(docs.topic) if t == 1 and not docs.outlier[i]][:3]
    moved = [docs.id[i] for i in rows]
    edited, new_table = move_documents(topic_map, table, moved, 0)
    assert [edited.documents.topic[i] for i in rows] == [0, 0, 0]
    sizes = {t.id: t.size for t in edited.topics}
    assert sizes[1] == source.size - 3 and sizes[0] == next(t.size for t in topic_map.topics if t.id == 0) + 3
    expected = table.counts[table.topic_ids.index(0)] + table.presence[rows].sum(axis=0)
    assert (new_table.counts[new_table.topic_ids.index(0)].toarray() == expected).all()
    assert not set(moved) & set(next(t for t in edited.topics if t.id == 1).representative_documents)
    with pytest.raises(NotFound, match="no document 'nope'"):
        move_documents(topic_map, table, ["nope"], 0)
    everything = [docs.id[i] for i, t in enumerate(docs.topic) if t == 2]
    emptied, _ = move_documents(topic_map, table, everything, 0)
    assert 2 not in {t.id for t in emptied.topics}  # a topic left without documents is gone
    assert emptied.hierarchy is not None and "t2" not in {n.id for n in emptied.hierarchy.nodes}


def test_splitting_a_merged_topic_finds_its_two_parts_again(fitted: tuple[TopicMap, TermTable]) -> None:
    topic_map, table = fitted
    first, second = sorted((t for t in topic_map.topics if t.id >= 0), key=lambda t: -t.size)[:2]
    merged, merged_table = merge_groups(topic_map, table, [[first.id, second.id]])
    before = np.asarray(topic_map.documents.topic)
    inside = np.flatnonzero(np.asarray(merged.documents.topic) == first.id)
    min_size = int(topic_map.meta.resolved["min_topic_size"])
    split, split_table = split_topic(merged, merged_table, EMBEDDINGS[0], first.id, 2, min_size=min_size)

    after = np.asarray(split.documents.topic)
    new_id = max(t.id for t in topic_map.topics) + 1
    assert set(after[inside]) == {first.id, new_id}  # the larger part keeps the id, the other is new
    assert (after[before == first.id] == first.id).all() and (after[before == second.id] == new_id).all()
    untouched = np.setdiff1d(np.arange(len(after)), inside)
    assert (after[untouched] == before[untouched]).all()
    parts = {t.id: t for t in split.topics if t.id in (first.id, new_id)}
    assert parts[first.id].size == first.size and parts[new_id].size == second.size
    assert {t.term for t in parts[new_id].terms} == {t.term for t in second.terms}  # its own words again
    assert set(parts[new_id].representative_documents) <= {
        split.documents.id[i] for i in np.flatnonzero(after == new_id)
    }
    assert split.meta.quality.n_topics == topic_map.meta.quality.n_topics
    assert new_id in split_table.topic_ids and split_table.counts.shape[0] == len(split_table.topic_ids)
    assert split.hierarchy is not None
    leaves = {n.id: n for n in split.hierarchy.nodes if n.level == "fine"}
    assert f"t{new_id}" in leaves and leaves[f"t{new_id}"].size == second.size
    parent = next(n for n in split.hierarchy.nodes if f"t{new_id}" in n.children)
    assert f"t{first.id}" in parent.children and new_id in parent.topics


def test_a_split_part_below_the_smallest_topic_size_joins_the_nearest_part(fitted: tuple[TopicMap, TermTable]) -> None:
    topic_map, table = fitted
    first, second = sorted((t for t in topic_map.topics if t.id >= 0), key=lambda t: -t.size)[:2]
    merged, merged_table = merge_groups(topic_map, table, [[first.id, second.id]])
    total = first.size + second.size
    min_size = total // 3  # three parts fit, but k-means cuts one of the two real topics in small halves
    split, _ = split_topic(merged, merged_table, EMBEDDINGS[0], first.id, 3, min_size=min_size)
    parts = [t for t in split.topics if t.id == first.id or t.id > max(x.id for x in topic_map.topics)]
    assert all(t.size >= min_size for t in parts), [t.size for t in parts]
    assert len(parts) == 2 and sum(t.size for t in parts) == total
    assert sorted(t.size for t in parts) == sorted([first.size, second.size])  # the two real topics again


def test_split_errors(fitted: tuple[TopicMap, TermTable]) -> None:
    topic_map, table = fitted
    min_size = int(topic_map.meta.resolved["min_topic_size"])
    smallest = min((t for t in topic_map.topics if t.id >= 0), key=lambda t: t.size)
    with pytest.raises(Invalid, match=r"needs at least 2 x"):
        split_topic(topic_map, table, EMBEDDINGS[0], smallest.id, 2, min_size=smallest.size // 2 + 1)
    with pytest.raises(NotFound, match="has no topic 999"):
        split_topic(topic_map, table, EMBEDDINGS[0], 999, 2, min_size=min_size)
    with pytest.raises(ValidationError):
        Split.model_validate({"op": "split", "topic": 0, "k": 1})
    largest = topic_map.topics[0]
    request = EditRequest.model_validate({"operations": [{"op": "split", "topic": largest.id}]})
    with pytest.raises(Conflict, match="no longer stored"):
        apply_edits(topic_map, request.operations, lambda _: topic_map, latest_number=1, load_terms=lambda _: table)
