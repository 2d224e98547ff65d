"""Copies of one text drawn as a small disc, not as one dot: a map shows how many said it.

Identical texts have identical embeddings, so the layout puts them on top of each other: 150 survey
answers "none" were one dot beside topics of 40 documents, and a map of few distinct answers was a
few dozen dots. Each run of copies (the pipeline sees the texts sorted, so copies are neighbours)
is laid out on a sunflower spiral around the copies' mean position, its area proportional to their
number, at about the density of the map's own texts (as densely as distinct texts lie around their
8th neighbour, and no sparser than an evenly filled map: ``DENSITY`` × the extent / √n).
Single texts keep their positions. Deterministic, and independent of the row order (the copies of
one text are in id order).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

DENSITY = 0.5
"""Spacing of the copies in a disc, in units of extent / √n (the mean spacing of an evenly filled map)."""
GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))
EXTENT_QUANTILES = (0.05, 0.95)
LOCAL_NEIGHBOURS = 8
"""A disc is no sparser than the map's texts around their 8th neighbour (a map of dense topics and
wide gaps: its discs as dense as its topics)."""


def spread_duplicates(xy: npt.NDArray[np.float32], texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """``xy`` with each run of equal consecutive ``texts`` spread in a disc (a new array)."""
    xy = np.asarray(xy)
    if len(xy) != len(texts):
        raise ValueError("one position per text")
    starts = [i for i in range(1, len(texts)) if texts[i] != texts[i - 1]]
    bounds = np.array([0, *starts, len(texts)])
    sizes = np.diff(bounds)
    out = xy.astype(np.float64)
    if not len(xy) or sizes.max() < 2 or not np.isfinite(out).all():
        return xy.copy()
    low, high = np.quantile(out, EXTENT_QUANTILES, axis=0)
    step = DENSITY * float(np.max(high - low)) / np.sqrt(len(xy))
    distinct = out[bounds[:-1]]  # one point per text: how densely the map's own texts lie
    if len(distinct) > LOCAL_NEIGHBOURS:
        found = np.asarray(cKDTree(distinct).query(distinct, k=LOCAL_NEIGHBOURS + 1)[0])
        reach = float(np.median(found[:, -1]))
        step = min(step, reach / np.sqrt(LOCAL_NEIGHBOURS)) if reach > 0 else step
    if step <= 0:
        return xy.copy()
    group = np.repeat(np.arange(len(sizes)), sizes)  # each row's run of equal texts
    means = np.add.reduceat(out, bounds[:-1], axis=0) / sizes[:, None]
    k = np.arange(len(xy)) - bounds[:-1][group]  # each copy's place in its run: 0, 1, 2, ...
    copies = sizes[group] > 1
    radius, angle = step * np.sqrt(k[copies]), k[copies] * GOLDEN_ANGLE
    out[copies] = means[group[copies]] + np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    return out.astype(xy.dtype)
