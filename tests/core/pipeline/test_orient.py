"""The map turned so its long side runs across the screen: a rotation, the same every time."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist

from topicmap.pipeline.orient import landscape


def a_tall_map(seed: int = 0) -> np.ndarray:
    """Four clusters stacked up a tilted column, three times as tall as wide."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [0.5, 3.0], [-0.4, 6.0], [0.3, 9.0]])
    points = np.vstack([centre + rng.normal(scale=0.6, size=(15, 2)) for centre in centres])
    tilt = np.radians(20)
    turn = np.array([[np.cos(tilt), -np.sin(tilt)], [np.sin(tilt), np.cos(tilt)]])
    return (points @ turn.T).astype(np.float32)


def test_a_tall_map_is_turned_on_its_side() -> None:
    xy = a_tall_map()
    turned = landscape(xy)
    width, height = np.ptp(turned, axis=0)
    assert width > 2 * height, (width, height)
    assert np.ptp(xy, axis=0)[1] > np.ptp(xy, axis=0)[0]  # it was tall
    np.testing.assert_allclose(pdist(turned), pdist(xy), atol=1e-4)  # every distance kept
    # A rotation, not a mirror image: each triangle keeps its orientation.
    a, b, c = xy[0], xy[20], xy[40]
    ta, tb, tc = turned[0], turned[20], turned[40]
    assert np.sign(np.cross(b - a, c - a)) == np.sign(np.cross(tb - ta, tc - ta))
    np.testing.assert_array_equal(landscape(xy), turned)  # the same every time
    assert turned.dtype == xy.dtype and xy is not turned


def test_a_round_map_is_left_as_it_is() -> None:
    rng = np.random.default_rng(1)
    xy = rng.normal(size=(500, 2)).astype(np.float32)
    np.testing.assert_array_equal(landscape(xy), xy)


def test_degenerate_maps_come_back_unchanged() -> None:
    for xy in (np.zeros((0, 2)), np.ones((2, 2)), np.full((10, 2), 3.0), np.array([[0.0, np.nan]] * 5)):
        np.testing.assert_array_equal(landscape(xy), xy)
