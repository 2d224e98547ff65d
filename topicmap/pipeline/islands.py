"""Bring the map's far islands in: small groups of documents that UMAP pushed far from the rest.

A group of near-duplicates or a narrow subject (20,000 Debian sentences: 305 boilerplate lines of
Haskell packages) has almost no edges to the rest of the neighbour graph, so nothing holds it while
the layout's repulsion pushes it away: such islands end up at six times the median distance from
the centre, the map's extent is theirs, and the bulk of the documents is drawn in a small blob in
the middle. UMAP's distances between unconnected parts mean nothing, so each island is moved in
rigidly (every point by the same vector, its shape kept) along the line from the centre, until it
sits just beyond the bulk, clear of everything already placed. The bulk is the map's main body (its
largest island): a big island far out (150 survey answers "none" among 1,000 descriptions) is
moved in like the small ones, rather than counted as bulk with the small ones parked beyond it.

Deterministic: the same layout in gives the same layout out (no randomness, no thread counts).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from topicmap.vectors import topic_members

BULK_QUANTILE = 0.9
"""The bulk: the main body's points within this quantile of their distances from its median point."""
REACH = 1.15
"""Points farther than REACH times the bulk's radius are outside it, and move."""
KEEP = 0.1
"""An island's distance beyond the bulk's edge is cut to this share (more where it must step out to keep clear)."""
GAP = 0.08
"""Clearance between a moved island and anything already placed, in median distances from the centre."""
LINK = 0.5
"""Points outside the bulk closer than this (in median distances) belong to the same island."""
LINK_NEIGHBOURS = 8
MIN_POINTS = 100
"""Smaller maps are left as they are."""
MAX_GRID = 4096
"""Most cells along each side of the occupancy grid (16 MB), however far out a point lies."""


def pull_in_islands(xy: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``xy`` with the islands outside its bulk moved in (a new array; ``xy`` is not changed)."""
    xy = np.asarray(xy)
    if len(xy) < MIN_POINTS or not np.isfinite(xy).all():
        return xy.copy()
    body = _main_body(xy)
    centre = np.median(body, axis=0)
    radius = np.hypot(*(xy - centre).T)
    unit = float(np.median(radius))
    if unit <= 0:
        return xy.copy()
    edge = REACH * float(np.quantile(np.hypot(*(body - centre).T), BULK_QUANTILE))
    outside = np.flatnonzero(radius > edge)
    if outside.size == 0:
        return xy.copy()
    islands = [outside[rows] for rows in topic_members(_islands(xy[outside], LINK * unit)).values()]
    grid = _Occupancy(xy, GAP * unit)
    grid.mark(np.delete(xy, outside, axis=0))
    moved = xy.astype(np.float64)
    centroids = np.array([xy[rows].mean(axis=0) for rows in islands])
    distances = np.hypot(*(centroids - centre).T)
    for i in np.argsort(distances, kind="stable"):  # the nearest first: the farther ones settle around them
        rows = islands[i]
        moved[rows] = _settle(xy[rows].astype(np.float64), centroids[i] - centre, distances[i], edge, grid)
    return moved.astype(xy.dtype)


FRAGMENTED = 0.25
"""A map whose largest island holds less than this share of its points is in pieces."""
FRAGMENT_NEIGHBOURS = 8
FRAGMENT_LINK = 3.0
"""Points closer than this many typical spacings (the median distance to the 8th neighbour) are linked."""
FRAGMENT_SAMPLE = 20_000
"""Above this many points, a regular sample tells first whether the map is in pieces at all."""
PACKING = 0.8
"""Share of the packed map's area its islands (with half a gap around each) may fill."""


def pack_fragments(xy: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``xy`` with the islands of a map in pieces drawn together (a new array).

    A corpus of few distinct texts (survey answers: "none", "too expensive") makes a neighbour graph
    of many parts, and UMAP lays each part out as a speck on a wide empty canvas: 400 answers of
    ~90 texts filled a 40 × 45 map with islands of radius ~0.3, each drawn as one dot. When the
    largest island holds under a quarter of the points, the islands' arrangement is shrunk about its
    centre until their area fills about 80% of it, each moved rigidly (its shape kept) and, nearest
    the centre first, stepped out until clear of those placed. Maps of one main body are returned as
    they are (Debian samples: the largest island holds 77–98%). Deterministic."""
    xy = np.asarray(xy)
    if len(xy) < FRAGMENT_NEIGHBOURS + 2 or not np.isfinite(xy).all():
        return xy.copy()
    points = xy.astype(np.float64)
    if len(points) > FRAGMENT_SAMPLE and not _in_pieces(points[:: len(points) // FRAGMENT_SAMPLE])[0]:
        return xy.copy()  # a big map with one main body, told from a sample (1,000,000 points: 0.3 s, not 9)
    fragmented, islands, spacing = _in_pieces(points)
    if not fragmented:
        return xy.copy()
    sizes = np.array([len(rows) for rows in islands])
    centroids = np.array([points[rows].mean(axis=0) for rows in islands])
    radii = np.array(
        [max(float(np.hypot(*(points[r] - c).T).max()), spacing) for r, c in zip(islands, centroids, strict=True)]
    )
    gap = max(0.5 * float(np.median(radii)), FRAGMENT_LINK * spacing)
    centre = np.average(centroids, axis=0, weights=sizes)
    distances = np.hypot(*(centroids - centre).T)
    reach = float(np.quantile(distances, 0.9))
    needed = float(np.sum(np.pi * (radii + gap / 2) ** 2)) / PACKING
    scale = min(1.0, np.sqrt(needed / np.pi) / reach) if reach > 0 else 1.0
    grid = _Occupancy(np.vstack([points, centre + scale * (points - centre)]), gap)
    packed = points.copy()
    steps = np.arange(0.0, 2 * reach + 4 * gap, grid.cell)
    for i in np.argsort(distances, kind="stable"):  # the nearest first: the farther ones settle around them
        rows = islands[i]
        along = (centroids[i] - centre) / distances[i] if distances[i] > 0 else np.array([1.0, 0.0])
        placed = points[rows] + (scale - 1.0) * (centroids[i] - centre)
        placed = placed + grid.first_free(placed, along, steps) * along
        grid.mark(placed)
        packed[rows] = placed
    return packed.astype(xy.dtype)


def _main_body(xy: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """The points of the map's main body: its largest island, unless the map is in pieces (then all
    of them). Above ``FRAGMENT_SAMPLE`` points, those of a regular sample (taken before the copy)."""
    step = len(xy) // FRAGMENT_SAMPLE if len(xy) > FRAGMENT_SAMPLE else 1
    points = xy[::step].astype(np.float64)
    fragmented, islands, _ = _in_pieces(points)
    return points if fragmented else points[max(islands, key=len)]


def _in_pieces(points: npt.NDArray[np.float64]) -> tuple[bool, list[npt.NDArray[np.intp]], float]:
    """Whether the largest island holds less than ``FRAGMENTED`` of the points; the islands; the spacing."""
    found = np.asarray(cKDTree(points).query(points, k=FRAGMENT_NEIGHBOURS + 1)[0])
    spread = float(np.median(np.hypot(*(points - np.median(points, axis=0)).T)))
    spacing = max(float(np.median(found[:, -1])), 1e-3 * spread)
    islands = list(topic_members(_islands(points, FRAGMENT_LINK * spacing)).values())
    return max(len(rows) for rows in islands) < FRAGMENTED * len(points), islands, spacing


def _islands(points: npt.NDArray[np.floating], link: float) -> npt.NDArray[np.int64]:
    """Which island each point belongs to: connected by chains of points less than ``link`` apart
    (each point's nearest few, so a dense region does not make every pair an edge)."""
    k = min(LINK_NEIGHBOURS + 1, len(points))
    found, which = cKDTree(points).query(points, k=k, distance_upper_bound=link)
    distances, neighbours = np.reshape(found, (len(points), k)), np.reshape(which, (len(points), k))
    close = np.isfinite(distances)
    rows = np.repeat(np.arange(len(points)), k)[close.ravel()]
    graph = sp.csr_matrix((np.ones(rows.size), (rows, neighbours[close])), shape=(len(points), len(points)))
    return np.asarray(connected_components(graph, directed=False)[1], dtype=np.int64)


def _settle(
    points: npt.NDArray[np.float64],
    direction: npt.NDArray[np.floating],
    distance: float,
    edge: float,
    grid: _Occupancy,
) -> npt.NDArray[np.float64]:
    """The island moved along ``direction`` to its target distance, or out from there in steps of
    the clearance until it touches nothing placed; where it was if nothing nearer is free."""
    along = np.asarray(direction, dtype=np.float64) / distance if distance > 0 else np.zeros(2)
    shortest = min(0.0, edge + KEEP * (distance - edge) - distance)
    shifts = np.append(np.arange(shortest, 0.0, grid.cell), 0.0)
    placed = points + grid.first_free(points, along, shifts) * along
    grid.mark(placed)
    return placed


class _Occupancy:
    """Which cells of a grid over the map are next to a placed point (cells of the clearance's
    size, so what is placed later keeps one to two cells away)."""

    SHIFTS_AT_ONCE = 64
    CELLS_AT_ONCE = 1 << 20

    def __init__(self, xy: npt.NDArray[np.floating], cell: float) -> None:
        cell = max(cell, float(np.ptp(xy, axis=0).max()) / MAX_GRID)  # a point very far out: coarser cells
        self.low = xy.min(axis=0).astype(np.float64) - 2 * cell
        self.cell = cell
        shape = np.ceil((xy.max(axis=0) - self.low) / cell).astype(np.int64) + 3
        self.near = np.zeros(tuple(shape), dtype=bool)

    def _cells(self, points: npt.NDArray[np.floating]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        cells = np.floor((points - self.low) / self.cell).astype(np.int64)
        cells = np.clip(cells, 1, np.array(self.near.shape) - 2)
        return cells[..., 0], cells[..., 1]

    def mark(self, points: npt.NDArray[np.floating]) -> None:
        x, y = self._cells(points)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                self.near[x + dx, y + dy] = True

    def first_free(
        self, points: npt.NDArray[np.float64], along: npt.NDArray[np.float64], shifts: npt.NDArray[np.float64]
    ) -> float:
        """The first of ``shifts`` at which ``points`` moved along ``along`` touch nothing placed;
        the last shift when none is free."""
        at_once = max(1, min(self.SHIFTS_AT_ONCE, self.CELLS_AT_ONCE // len(points)))
        for start in range(0, len(shifts), at_once):
            block = shifts[start : start + at_once]
            x, y = self._cells(points[None, :, :] + block[:, None, None] * along)
            free = ~self.near[x, y].any(axis=1)
            if free.any():
                return float(block[int(np.argmax(free))])
        return float(shifts[-1])
