"""Semantic axes (topicmap/axes.py): parsing poles, the coordinate, topics at their documents' mean."""

from __future__ import annotations

import numpy as np
import pytest

from topicmap.axes import PRESETS, Axis, axis_scores, parse_axis, topic_places
from topicmap.errors import Invalid


@pytest.mark.parametrize(
    ("values", "axis"),
    [
        (["problem,praise"], Axis("problem", "praise")),
        (["problem", "praise"], Axis("problem", "praise")),
        ([" cheap , premium "], Axis("cheap", "premium")),
        (["price"], Axis(*PRESETS["price"])),
    ],
)
def test_poles_are_read_from_either_spelling(values: list[str], axis: Axis) -> None:
    assert parse_axis("x", values) == axis


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["problem"], "two poles"),
        (["a,b,c"], "two poles"),
        ([",praise"], "empty"),
        (["problem", " "], "empty"),
        (["x" * 201 + ",b"], "at most 200"),
        (["same,Same"], "two different"),
    ],
)
def test_bad_poles_say_what_is_wrong(values: list[str], message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_axis("x", values)


def test_the_coordinate_is_the_difference_of_cosines() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    negative, positive = rng.normal(size=8).astype(np.float32), rng.normal(size=8).astype(np.float32) * 3

    def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(a @ b / np.linalg.norm(b))

    expected = cosine(vectors, positive) - cosine(vectors, negative)
    assert np.allclose(axis_scores(vectors, negative, positive), expected, atol=1e-5)
    assert np.allclose(axis_scores(vectors, positive, negative), -expected, atol=1e-5)  # poles swapped: mirrored
    assert axis_scores(positive[None, :] / np.linalg.norm(positive), negative, positive)[0] > 0


def test_topics_sit_at_the_mean_of_their_documents() -> None:
    x = np.array([0.1, 0.3, -0.2, 0.5], dtype=np.float32)
    y = np.array([1.0, 0.0, 0.0, 0.2], dtype=np.float32)
    places = topic_places([0, 0, 1, -1], x, y)
    assert [(p.topic, p.x, p.y) for p in places] == [(0, 0.2, 0.5), (1, -0.2, 0.0)]
    assert [p.y for p in topic_places([0, 1], x[:2], None)] == [None, None]
