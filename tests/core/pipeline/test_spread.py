"""Copies of one text are spread in a disc whose area grows with their number (topicmap/pipeline/spread.py)."""

from __future__ import annotations

import numpy as np
import pytest

from topicmap.pipeline.spread import spread_duplicates


def test_copies_of_a_text_form_a_disc_around_their_place_and_single_texts_stay() -> None:
    rng = np.random.default_rng(0)
    texts = sorted(["none"] * 100 + ["good"] * 25 + [f"answer {i}" for i in range(275)])
    xy = rng.uniform(-10, 10, (len(texts), 2)).astype(np.float32)
    for text in ("none", "good"):  # the layout puts copies on one spot
        rows = [i for i, t in enumerate(texts) if t == text]
        xy[rows] = xy[rows[0]]
    out = spread_duplicates(xy, texts)
    assert out.dtype == xy.dtype and out.shape == xy.shape
    single = [i for i, t in enumerate(texts) if t.startswith("answer")]
    np.testing.assert_array_equal(out[single], xy[single])
    radii = {}
    for text in ("none", "good"):
        rows = [i for i, t in enumerate(texts) if t == text]
        assert len({(x, y) for x, y in out[rows].tolist()}) == len(rows)  # every copy visible
        np.testing.assert_allclose(out[rows].mean(axis=0), xy[rows[0]], atol=0.1)  # around their place
        radii[text] = float(np.hypot(*(out[rows] - xy[rows[0]]).T).max())
    assert radii["none"] / radii["good"] == pytest.approx(2.0, rel=0.1)  # area ∝ copies: 4× the copies, 2× the radius
    assert radii["none"] < 0.5 * float(np.ptp(xy, axis=0).max())  # a disc, not the whole map
    np.testing.assert_array_equal(spread_duplicates(xy, texts), out)


def test_copies_differing_in_case_and_spacing_share_one_disc() -> None:
    texts = ["None", "none", "none ", "NONE", "a different answer", "another one", "none", " None"]
    xy = np.array([[1.0, 1.0]] * 4 + [[5.0, 5.0], [9.0, 0.0]] + [[1.0, 1.0]] * 2, dtype=np.float32)
    out = spread_duplicates(xy, texts)
    nones = [0, 1, 2, 3, 6, 7]
    assert len({(x, y) for x, y in out[nones].tolist()}) == 6  # one disc: no two copies on one spot
    assert np.hypot(*(out[nones] - [1.0, 1.0]).T).max() < 0.5 * np.hypot(4.0, 4.0)  # around their spot
    np.testing.assert_array_equal(out[[4, 5]], xy[[4, 5]])


def test_nothing_to_spread_and_mismatched_input() -> None:
    xy = np.zeros((3, 2), dtype=np.float32)
    np.testing.assert_array_equal(spread_duplicates(xy, ["a", "b", "c"]), xy)
    with pytest.raises(ValueError):
        spread_duplicates(xy, ["a", "b"])
    assert spread_duplicates(np.zeros((0, 2), dtype=np.float32), []).shape == (0, 2)
