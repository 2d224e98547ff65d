"""Copies of one text drawn as a small disc, not as one dot: a map shows how many said it.

Identical texts have identical embeddings, so the layout puts them on top of each other: 150 survey
answers "none" were one dot beside topics of 40 documents, and a map of few distinct answers was a
few dozen dots. The copies of a text (equal but for case and spacing, as the model reads them) are
laid out on a sunflower spiral around the copies' mean position, its area proportional to their
number, at about the density of the map's own texts (as densely as distinct texts lie around their
8th neighbour, and no sparser than an evenly filled map: ``DENSITY`` × the extent / √n).
Single texts keep their positions. Deterministic, and independent of the row order (the pipeline
gives the texts in its canonical order: by text, then id).
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
    """``xy`` with the copies of each text spread in a disc (a new array). Copies are texts equal
    but for case and spacing ("None", "none ", "NONE"): the model reads them alike, so they share a
    place, and one disc holds them all (in the order given)."""
    xy = np.asarray(xy)
    if len(xy) != len(texts):
        raise ValueError("one position per text")
    keys = [" ".join(text.split()).casefold() for text in texts]
    if len(set(keys)) == len(keys) or not np.isfinite(xy).all():
        return xy.copy()
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)  # stable: copies in given order
    spread = _spread_runs(xy[order].astype(np.float64), [keys[i] for i in order])
    out = np.empty_like(spread)
    out[order] = spread
    return out.astype(xy.dtype)


def _spread_runs(out: npt.NDArray[np.float64], keys: Sequence[str]) -> npt.NDArray[np.float64]:
    """``out`` (positions in the order of the sorted ``keys``) with each run of equal keys in a disc."""
    starts = [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
    bounds = np.array([0, *starts, len(keys)])
    sizes = np.diff(bounds)
    low, high = np.quantile(out, EXTENT_QUANTILES, axis=0)
    step = DENSITY * float(np.max(high - low)) / np.sqrt(len(out))
    distinct = out[bounds[:-1]]  # one point per text: how densely the map's own texts lie
    if len(distinct) > LOCAL_NEIGHBOURS:
        found = np.asarray(cKDTree(distinct).query(distinct, k=LOCAL_NEIGHBOURS + 1)[0])
        reach = float(np.median(found[:, -1]))
        step = min(step, reach / np.sqrt(LOCAL_NEIGHBOURS)) if reach > 0 else step
    if step <= 0:
        return out
    group = np.repeat(np.arange(len(sizes)), sizes)  # each row's run of equal texts
    means = np.add.reduceat(out, bounds[:-1], axis=0) / sizes[:, None]
    k = np.arange(len(out)) - bounds[:-1][group]  # each copy's place in its run: 0, 1, 2, ...
    copies = sizes[group] > 1
    radius, angle = step * np.sqrt(k[copies]), k[copies] * GOLDEN_ANGLE
    out[copies] = means[group[copies]] + np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    return out
