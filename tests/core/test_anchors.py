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
