"""The topic hierarchy: nested levels cut from one linkage, labelled by c-TF-IDF per level."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.pipeline.hierarchy import Node, TopicHierarchy, acceptable_label, level_sizes, shared_label
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams


@pytest.mark.parametrize(
    ("n_topics", "expected"),
    [
        (2, {}),
        (6, {"coarse": 3}),
        (25, {"coarse": 5, "medium": 11}),
        (100, {"coarse": 10, "medium": 32}),
        (230, {"coarse": 15, "medium": 59}),
        (1000, {"coarse": 15, "medium": 122}),
    ],
)
def test_level_sizes(n_topics: int, expected: dict[str, int]) -> None:
    assert level_sizes(n_topics) == expected


def themed_topics(groups: int = 3, per_group: int = 4, seed: int = 0) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
    """Topic centroids in ``groups`` well-separated directions, and counts whose words follow the groups."""
    rng = np.random.default_rng(seed)
    directions = np.eye(groups * 3)[:groups] * 5
    centroids = np.vstack(
        [directions[g] + rng.normal(0, 0.3, groups * 3) for g in range(groups) for _ in range(per_group)]
    )
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    vocabulary = np.array(
        [f"theme{g}" for g in range(groups)] + [f"word{t}" for t in range(groups * per_group)], dtype=object
    )
    counts = np.zeros((groups * per_group, len(vocabulary)))
    for topic in range(groups * per_group):
        counts[topic, topic // per_group] = 20  # the group's word in every topic of the group
        counts[topic, groups + topic] = 10  # and a word of the topic's own
    return centroids.astype(np.float32), sp.csr_matrix(counts), vocabulary


def test_levels_nest_and_recover_the_themes() -> None:
    centroids, counts, vocabulary = themed_topics(groups=5, per_group=5)  # 25 topics: coarse 5, medium 11
    ids = list(range(25))
    hierarchy = TopicHierarchy().fit(
        ids, centroids, np.full(25, 10), counts, vocabulary, {t: f"topic {t}" for t in ids}, {t: [] for t in ids}
    )
    assert hierarchy.levels_ == ["coarse", "medium", "fine"]
    assert hierarchy.levels_[-1] == "fine" and hierarchy.levels_[0] == "coarse"
    nodes = {n.id: n for n in hierarchy.nodes_}
    coarse = [n for n in hierarchy.nodes_ if n.level == "coarse"]
    assert len(coarse) == 5 and nodes["root"].children == [n.id for n in coarse]
    assert len([n for n in hierarchy.nodes_ if n.level == "medium"]) == 11
    # Each coarse theme holds exactly one planted group, and is labelled by that group's word.
    for node in coarse:
        groups = {t // 5 for t in node.topics}
        assert len(groups) == 1 and node.terms[0][0] == f"theme{groups.pop()}" and node.size == 50
    # Nesting: every node's topics are the union of its children's; every topic has one node per level.
    for node in hierarchy.nodes_:
        if node.children:
            assert sorted(t for c in node.children for t in nodes[c].topics) == sorted(node.topics)
            assert all(nodes[c].parent == node.id for c in node.children)
    for level in hierarchy.levels_:
        assert sorted(hierarchy.assignment_[level]) == ids
    assert nodes["t5"].label == "topic 5" and nodes["t5"].level == "fine"


def test_two_topics_have_no_intermediate_level() -> None:
    centroids, counts, vocabulary = themed_topics(groups=2, per_group=1)
    hierarchy = TopicHierarchy().fit(
        [0, 1], centroids, np.array([5, 3]), counts, vocabulary, {0: "a", 1: "b"}, {0: [], 1: []}
    )
    assert hierarchy.levels_ == ["fine"]
    assert [n.id for n in hierarchy.nodes_] == ["root", "t0", "t1"] and hierarchy.nodes_[0].size == 8


def test_every_map_carries_its_hierarchy() -> None:
    texts, _ = planted_corpus(40)
    topic_map = run_pipeline(texts, [f"d{i}" for i in range(len(texts))], PipelineParams(), encoder=HashingEncoder())
    hierarchy = topic_map.hierarchy
    assert hierarchy is not None and hierarchy.levels[-1] == "fine"
    nodes = {n.id: n for n in hierarchy.nodes}
    assert nodes["root"].size == 160 and nodes["root"].parent is None
    leaves = [n for n in hierarchy.nodes if n.level == "fine"]
    assert sorted(n.topics[0] for n in leaves) == [t.id for t in topic_map.topics]
    assert {n.label for n in leaves} == {t.label for t in topic_map.topics}
    for node in hierarchy.nodes:
        if node.level not in ("root", "fine"):
            assert node.label and node.terms and " the " not in f" {node.label} "  # stop words never label
            assert node.size == sum(nodes[c].size for c in node.children)


def test_a_word_of_every_topic_never_labels_a_theme() -> None:
    centroids, counts, vocabulary = themed_topics(groups=5, per_group=5)
    dense = counts.toarray()
    dense = np.hstack([dense, np.full((25, 1), 1000.0)])  # "package": in every topic, far more than any other word
    vocabulary = np.append(vocabulary, "package")
    ids = list(range(25))
    args = (
        ids,
        centroids,
        np.full(25, 10),
        sp.csr_matrix(dense),
        vocabulary,
        dict.fromkeys(ids, ""),
        {t: [] for t in ids},
    )
    themes = [n for n in TopicHierarchy().fit(*args).nodes_ if n.level == "coarse"]
    assert all("package" not in [t for t, _ in n.terms] for n in themes)
    assert all(n.terms[0][0].startswith("theme") for n in themes)
    unfiltered = [n for n in TopicHierarchy(max_topic_share=1.0).fit(*args).nodes_ if n.level == "coarse"]
    assert any(n.terms[0][0] == "package" for n in unfiltered)  # what the filter is for


def terms_of(*words: str) -> list[tuple[str, float]]:
    return [(word, 1.0 - i / 10) for i, word in enumerate(words)]


def test_a_theme_is_named_by_what_most_of_its_topics_share() -> None:
    topic_terms = {
        1: terms_of("audio", "mixer", "alsa"),
        2: terms_of("audio", "player", "playlist"),
        3: terms_of("perl", "audio", "module"),
        4: terms_of("devices", "usb"),
    }
    labels = {t: " · ".join(w for w, _ in terms[:3]) for t, terms in topic_terms.items()}
    # The level's c-TF-IDF ranks "perl" and "devices" high: before, the theme read "audio · perl · devices".
    node = Node("c0", "coarse", "root", [1, 2, 3, 4], terms=terms_of("perl", "audio", "devices", "usb"))
    label = shared_label(
        node.topics, [w for w, _ in node.terms], topic_terms, labels, {1: 30, 2: 20, 3: 10, 4: 5}, common=set()
    )
    assert label == "audio"  # in 3 of 4 topics; "perl", "devices" in one each
    assert acceptable_label(label, node.topics, topic_terms, labels)
    assert not acceptable_label("audio · perl · devices", node.topics, topic_terms, labels)


def test_a_word_of_the_small_topics_does_not_name_a_theme_of_mostly_something_else() -> None:
    # Measured on 5,000 Debian descriptions: a theme of games (81) and two robotics topics (31, 27)
    # was named "robot": two of its three topics, but 42% of its documents.
    topic_terms = {1: terms_of("game", "puzzle"), 2: terms_of("ros", "robot"), 3: terms_of("robotics", "robot")}
    labels = {1: "game · puzzle", 2: "ros · robot", 3: "robotics · robot"}
    node = Node("m0", "medium", "c0", [1, 2, 3], terms=terms_of("robot", "game"))
    label = shared_label(node.topics, [w for w, _ in node.terms], topic_terms, labels, {1: 81, 2: 31, 3: 27}, set())
    assert label == "game, ros and 1 more"
    assert shared_label(node.topics, ["robot"], topic_terms, labels, {1: 50, 2: 31, 3: 27}, set()) == "robot"


def test_a_theme_of_one_answer_given_again_keeps_the_answer_as_its_name() -> None:
    topic_terms = {1: terms_of("good"), 2: terms_of("audio", "sound")}
    labels = {1: "“good”", 2: "audio · sound"}
    assert shared_label([1], ["good"], topic_terms, labels, {1: 40}, common=set()) == "“good”"
    assert shared_label([2], ["audio", "sound"], topic_terms, labels, {2: 40}, common=set()) == "audio · sound"


def test_topics_that_share_nothing_are_named_by_the_largest() -> None:
    topic_terms = {1: terms_of("rust", "crate"), 2: terms_of("javascript", "node"), 3: terms_of("game", "input")}
    labels = {1: "rust · crate", 2: "javascript · node", 3: "game · input"}
    node = Node("c1", "coarse", "root", [1, 2, 3], terms=terms_of("rust", "javascript", "game"))
    label = shared_label(
        node.topics, [w for w, _ in node.terms], topic_terms, labels, {1: 50, 2: 40, 3: 10}, common=set()
    )
    assert label == "rust, javascript and 1 more"
    assert acceptable_label(label, node.topics, topic_terms, labels)
    # A word of most topics of the whole map never names a theme, even when all its topics have it.
    shared = {1: terms_of("package", "rust"), 2: terms_of("package", "node"), 3: terms_of("package", "game")}
    assert shared_label(
        node.topics, [w for w, _ in node.terms], shared, labels, {1: 50, 2: 40, 3: 10}, common={"package"}
    ).endswith("and 1 more")


def test_topics_and_the_root_sit_at_the_median_and_a_theme_on_one_of_its_topics() -> None:
    from topicmap.pipeline.assemble import build_hierarchy

    centroids, counts, vocabulary = themed_topics(groups=5, per_group=5)
    ids = list(range(25))
    hierarchy = TopicHierarchy().fit(
        ids, centroids, np.full(25, 10), counts, vocabulary, {t: f"topic {t}" for t in ids}, {t: [] for t in ids}
    )
    rng = np.random.default_rng(2)
    topics = rng.integers(-1, 25, 2000)  # -1: kept outliers, in no node
    xy = rng.normal(size=(2000, 2)).astype(np.float32)

    def median(inside: np.ndarray) -> tuple[float, float]:
        x, y = np.median(xy[inside], axis=0)
        return round(float(x), 4), round(float(y), 4)

    centres = {t: median(topics == t) for t in ids}  # as build_topics places the topics
    built = {node.id: node for node in build_hierarchy(hierarchy, topics, xy, centres).nodes}

    themes = 0
    for node in hierarchy.nodes_:
        placed = (built[node.id].x, built[node.id].y)
        if node.level in ("root", "fine"):
            assert placed == median(np.isin(topics, node.topics)), node.id
        else:  # topicmap/anchors.py chooses which topic
            assert placed in {median(topics == t) for t in node.topics}, node.id
            themes += 1
    assert themes >= 5
