"""Turn the map so its long side lies across the screen.

UMAP's two axes have no meaning and no preferred direction, and a small map often comes out long and
thin: 54 survey answers in four topics made a map 1.4 times as tall as wide, which the page and the
exports (one unit on x is one unit on y) drew as a strip in the middle third of a wide plot, its
points and labels crowded; turned, it is 1.5 times as wide as tall and fills the plot. The map is
turned about its centre (a rotation: nothing is mirrored, every distance is kept) so that its
principal axis is horizontal, when it is clearly longer one way than the other. Deterministic: the
same layout in gives the same layout out.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ELONGATION = 1.25
"""Turn a map whose spread along its principal axis is at least this many times its spread across
it; a rounder map is left as it is (turning it would gain nothing and change a familiar picture)."""


def landscape(xy: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``xy`` turned about its median point so its principal axis runs along x (a new array)."""
    xy = np.asarray(xy)
    if len(xy) < 3 or not np.isfinite(xy).all():
        return xy.copy()
    points = xy.astype(np.float64)
    centre = np.median(points, axis=0)
    centred = points - centre
    variances, axes = np.linalg.eigh(np.cov(centred.T))  # ascending
    if variances[1] <= 0 or variances[1] < ELONGATION**2 * max(float(variances[0]), 0.0):
        return xy.copy()
    major = axes[:, 1] if axes[0, 1] >= 0 else -axes[:, 1]  # one direction of the two, always the same
    across = np.array([-major[1], major[0]])  # a quarter turn from it: a rotation, not a mirror image
    turned = np.column_stack([centred @ major, centred @ across]) + centre
    return turned.astype(xy.dtype)
