"""Far islands of the 2-D map are moved in rigidly, clear of the bulk (topicmap/pipeline/islands.py)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from scipy.spatial import cKDTree

from topicmap.pipeline.islands import FRAGMENT_SAMPLE, GAP, MIN_POINTS, pack_fragments, pull_in_islands


def bulk(n: int = 3000, seed: int = 0) -> npt.NDArray[np.float32]:
    return np.random.default_rng(seed).standard_normal((n, 2)).astype(np.float32)


def blob(centre: tuple[float, float], n: int = 150, seed: int = 1) -> npt.NDArray[np.float32]:
    points = 0.2 * np.random.default_rng(seed).standard_normal((n, 2)) + np.asarray(centre)
    return points.astype(np.float32)


def unit_of(xy: npt.NDArray[np.float32]) -> float:
    return float(np.median(np.hypot(*(xy - np.median(xy, axis=0)).T)))


def test_a_far_island_moves_in_whole_along_its_direction_and_clear_of_the_bulk() -> None:
    core, island = bulk(), blob((25.0, 5.0))
    xy = np.vstack([core, island])
    before = xy.copy()
    out = pull_in_islands(xy)
    np.testing.assert_array_equal(xy, before)  # the input is not changed
    assert out.dtype == xy.dtype and out.shape == xy.shape
    moved = out[len(core) :]
    shift = moved - island
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-5)  # rigid
    centre = np.median(core, axis=0)  # the main body's centre
    old, new = island.mean(axis=0) - centre, moved.mean(axis=0) - centre
    assert np.linalg.norm(new) < 0.5 * np.linalg.norm(old)
    cosine = old @ new / (np.linalg.norm(old) * np.linalg.norm(new))
    assert cosine == pytest.approx(1.0, abs=1e-6)  # the same direction from the centre
    clearance = cKDTree(out[: len(core)]).query(moved)[0].min()
    assert clearance >= GAP * unit_of(xy)


def test_the_bulk_stays_where_it_is() -> None:
    core = bulk()
    xy = np.vstack([core, blob((25.0, 5.0))])
    out = pull_in_islands(xy)
    radius = np.hypot(*(xy - np.median(xy, axis=0)).T)
    inside = radius <= np.quantile(radius, 0.9)
    np.testing.assert_array_equal(out[inside], xy[inside])


def test_islands_on_one_line_keep_their_order_and_do_not_overlap() -> None:
    core, near, far = bulk(), blob((12.0, 0.0), seed=2), blob((30.0, 0.0), seed=3)
    xy = np.vstack([core, near, far])
    out = pull_in_islands(xy)
    a, b = out[len(core) : len(core) + len(near)], out[len(core) + len(near) :]
    assert a[:, 0].mean() < b[:, 0].mean() < far[:, 0].mean()
    assert cKDTree(a).query(b)[0].min() >= GAP * unit_of(xy)


def test_a_big_island_is_not_taken_for_the_bulk_so_the_small_ones_beyond_it_come_in_too() -> None:
    # 600 copies of "none" (16% of the points) far out on one side, 40 of "good" farther out on the
    # other: both are islands of the main body, and both end up just beyond its edge.
    core, big, small = bulk(), blob((15.0, 0.0), n=600, seed=6), blob((0.0, -30.0), n=40, seed=7)
    xy = np.vstack([core, big, small])
    out = pull_in_islands(xy)
    radius = np.hypot(*(core - np.median(core, axis=0)).T)
    inside = radius <= np.quantile(radius, 0.9)
    np.testing.assert_array_equal(out[: len(core)][inside], core[inside])  # the main body stays where it is
    unit = unit_of(core)
    body = cKDTree(core)
    for start, island in ((len(core), big), (len(core) + len(big), small)):
        moved = out[start : start + len(island)]
        assert GAP * unit <= body.query(moved)[0].min() < 2 * unit  # clear of the body, but next to it


def test_the_same_layout_gives_the_same_result() -> None:
    xy = np.vstack([bulk(), blob((25.0, 5.0)), blob((-20.0, -18.0), seed=4), blob((3.0, 40.0), n=400, seed=5)])
    np.testing.assert_array_equal(pull_in_islands(xy), pull_in_islands(xy.copy()))


@pytest.mark.parametrize(
    "xy",
    [
        bulk(MIN_POINTS - 1) * 50,  # too small to matter
        np.zeros((500, 2), dtype=np.float32),  # every point in one place
        np.full((500, 2), np.nan, dtype=np.float32),  # no layout
    ],
    ids=["small", "one-place", "not-finite"],
)
def test_maps_it_cannot_measure_are_not_changed(xy: npt.NDArray[np.float32]) -> None:
    np.testing.assert_array_equal(pull_in_islands(xy), xy)


def test_a_ring_of_near_duplicates_moves_as_one() -> None:
    angles = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    ring = np.c_[20 + 0.3 * np.cos(angles), 0.3 * np.sin(angles)].astype(np.float32)
    xy = np.vstack([bulk(), ring])
    moved = pull_in_islands(xy)[-200:]
    np.testing.assert_allclose(moved - moved.mean(axis=0), ring - ring.mean(axis=0), atol=1e-5)
    assert moved[:, 0].max() < 10


def test_a_point_very_far_out_is_brought_in_without_a_huge_grid() -> None:
    xy = np.vstack([bulk(), blob((1e6, 0.0), n=20)])
    out = pull_in_islands(xy)
    assert np.isfinite(out).all()
    assert out[-20:, 0].max() < 0.2e6  # in from a million median distances
    shape_before, shape_after = xy[-20:] - xy[-20:].mean(axis=0), out[-20:] - out[-20:].mean(axis=0)
    np.testing.assert_allclose(shape_after, shape_before, atol=0.2)  # float32 at 1e6: steps of 0.0625


# --- a map in pieces -----------------------------------------------------------------------------


def pieces(
    n_pieces: int = 30, seed: int = 3, canvas: float = 40.0
) -> tuple[npt.NDArray[np.float32], list[npt.NDArray[np.intp]]]:
    """Specks of 10-20 points (radius ~0.1) scattered over a 40 × 40 canvas: a corpus of few texts."""
    rng = np.random.default_rng(seed)
    parts, rows, start = [], [], 0
    for _ in range(n_pieces):
        size = int(rng.integers(10, 21))
        parts.append(rng.uniform(-canvas / 2, canvas / 2, 2) + 0.05 * rng.standard_normal((size, 2)))
        rows.append(np.arange(start, start + size))
        start += size
    return np.vstack(parts).astype(np.float32), rows


def test_a_map_in_pieces_is_drawn_together_each_piece_whole_and_apart() -> None:
    xy, rows = pieces()
    out = pack_fragments(xy)
    assert out.dtype == xy.dtype and out.shape == xy.shape
    assert np.ptp(out, axis=0).max() < 0.5 * np.ptp(xy, axis=0).max()  # the empty canvas is gone
    for piece in rows:  # each piece moved whole: its shape kept
        shift = out[piece] - xy[piece]
        np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-4)
    owner = np.concatenate([np.full(len(piece), i) for i, piece in enumerate(rows)])
    _, nearest = cKDTree(out).query(out, k=2)
    assert (owner[nearest[:, 1]] == owner).mean() > 0.98  # a point's nearest neighbour is of its own piece
    np.testing.assert_array_equal(pack_fragments(xy), out)  # the same layout in, the same out


def test_a_big_map_in_pieces_is_packed_too() -> None:
    xy, _ = pieces(1600, seed=4, canvas=200.0)  # above FRAGMENT_SAMPLE points: a sample tells it first
    assert len(xy) > FRAGMENT_SAMPLE
    assert np.ptp(pack_fragments(xy), axis=0).max() < 0.5 * np.ptp(xy, axis=0).max()


def test_a_map_of_one_body_is_not_packed() -> None:
    xy = np.vstack([bulk(), blob((25.0, 5.0))])  # one body and an island: pull_in_islands' case
    np.testing.assert_array_equal(pack_fragments(xy), xy)
    few = bulk(9)
    np.testing.assert_array_equal(pack_fragments(few), few)
