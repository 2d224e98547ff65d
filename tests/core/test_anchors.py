from __future__ import annotations

import numpy as np
import pytest

from topicmap import anchors
from topicmap.anchors import theme_anchors


def blobs(centres: list[tuple[float, float]], sizes: list[int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Documents in round blobs: one topic per blob, numbered in order."""
    rng = np.random.default_rng(seed)
    xy = np.concatenate([rng.normal(c, 0.3, size=(n, 2)) for c, n in zip(centres, sizes, strict=True)])
    topics = np.repeat(np.arange(len(sizes)), sizes)
    return xy.astype(np.float32), topics.astype(np.int64)


def centres_of(xy: np.ndarray, topics: np.ndarray) -> dict[int, tuple[float, float]]:
    return {int(t): tuple(np.median(xy[topics == t], axis=0).tolist()) for t in np.unique(topics) if t >= 0}


def test_a_theme_split_across_the_map_is_labelled_on_its_own_documents_not_between_them() -> None:
    # Theme 0 is topics 0 (left), 1 (right) and 2 (top); theme 1 is topic 3, in the middle.
    xy, topics = blobs([(-10, 0), (10, 0), (0, 20), (0, 0)], [220, 200, 150, 400])
    themes = [[0, 1, 2], [3]]
    centres = centres_of(xy, topics)
    placed = theme_anchors(xy, topics, themes, centres)
    median = np.median(xy[np.isin(topics, themes[0])], axis=0)
    assert np.linalg.norm(median - np.array(centres[3])) < 1  # the median sits on the other theme
    assert placed[0] == centres[0]  # the largest of its own blobs
    assert placed[1] == centres[3]


def test_a_theme_is_placed_where_it_is_not_mixed_with_another() -> None:
    # Topic 0 is larger but shares its place with topic 2 of the other theme; topic 1 stands alone.
    xy, topics = blobs([(0, 0), (10, 0), (0.2, 0)], [300, 250, 600])
    placed = theme_anchors(xy, topics, [[0, 1], [2]], centres_of(xy, topics))
    assert placed[0] == centres_of(xy, topics)[1]


def test_themes_of_one_topic_or_none_and_documents_without_a_topic() -> None:
    xy, topics = blobs([(0, 0), (5, 5)], [50, 50])
    topics[:10] = -1
    centres = centres_of(xy, topics)
    assert theme_anchors(xy, topics, [[1], [], [7]], centres) == [centres[1], None, None]


def test_large_maps_count_on_a_sample_with_the_same_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    xy, topics = blobs([(-10, 0), (10, 0), (0, 0)], [3000, 2000, 4000])
    centres = centres_of(xy, topics)
    everything = theme_anchors(xy, topics, [[0, 1], [2]], centres)
    monkeypatch.setattr(anchors, "SAMPLE", 900)
    sampled = theme_anchors(xy, topics, [[0, 1], [2]], centres)
    assert sampled == everything == [centres[0], centres[2]]


def test_a_label_naming_its_largest_topics_goes_on_one_of_them_not_on_a_denser_third() -> None:
    """ "perl, haskell and 3 more" sat on a rust topic, the theme's densest: a reader looked for perl there."""
    from topicmap.theme_labels import largest_topics_label, named_topics

    # Topics 0 and 1 are the largest but spread; topic 2 is small and dense, and wins on density.
    rng = np.random.default_rng(0)
    xy = np.concatenate(
        [rng.normal((-10, 0), 3.0, (300, 2)), rng.normal((10, 0), 3.0, (280, 2)), rng.normal((0, 15), 0.2, (150, 2))]
    ).astype(np.float32)
    topics = np.repeat(np.arange(3), [300, 280, 150]).astype(np.int64)
    centres = centres_of(xy, topics)
    labels, sizes = {0: "perl · module", 1: "haskell · www", 2: "crate · rust"}, {0: 300, 1: 280, 2: 150}
    label = largest_topics_label([0, 1, 2], labels, sizes)
    assert label == "perl, haskell and 1 more"
    assert theme_anchors(xy, topics, [[0, 1, 2]], centres) == [centres[2]]  # by density alone
    named = [named_topics(label, [0, 1, 2], labels, sizes)]
    assert named == [[0, 1]] and theme_anchors(xy, topics, [[0, 1, 2]], centres, named=named)[0] in (
        centres[0],
        centres[1],
    )
    assert named_topics("rust and friends", [0, 1, 2], labels, sizes) == []  # a person's label, or shared terms
