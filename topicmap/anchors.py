"""Where a theme's label goes on the map: over its own documents, not between them.

A theme gathers topics by their embeddings, and the 2-D layout can put those topics far apart: the
median of a theme's documents then falls in the gap, often over another theme's topics (on the
20,000 Debian descriptions, 4 of 15 coarse labels sat where most documents were another theme's).
Each theme's label goes instead to the centre of one of its own topics: the one whose neighbourhood
holds the most of the theme's documents, weighted by their share there (``own² / all``), so the
label names what lies under it and sits where the theme is dense. A topic merged by an edit
(topicmap/edits/regroup.py) is placed the same way: its members are the theme's topics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from topicmap.schemas import Documents

NEIGHBOURHOOD = 0.03
"""Radius of a candidate's neighbourhood, as a share of the map's extent (its 1st-99th percentile)."""
SAMPLE = 50_000
"""Documents the neighbourhoods are counted on (a fixed random sample of larger maps)."""


def theme_anchors(
    xy: npt.NDArray[np.float32],
    topics: npt.NDArray[np.int64],
    themes: Sequence[Sequence[int]],
    centres: dict[int, tuple[float, float]],
    seed: int = 0,
    named: Sequence[Sequence[int]] | None = None,
) -> list[tuple[float, float] | None]:
    """For each theme (its topics), the centre of the topic to put its label on; None for a theme
    without a topic in ``centres``. Themes of one level must not share topics. A theme with
    ``named`` topics (those its label names: topicmap/theme_labels.py, :func:`named_topics`) has its
    label on one of them: "perl, haskell and 3 more" sat on a rust topic, the theme's densest.

    Parameters
    ----------
    xy : ndarray of shape (n_documents, 2)
    topics : ndarray of shape (n_documents,)
        Topic of each document (-1: none).
    themes : sequence of sequences of int
        The topics of each theme of one level.
    centres : dict of topic id to (x, y)
        Each topic's position on the map (the median of its documents).
    named : sequence of sequences of int, optional
        For each theme, the topics its label names (empty: any of its topics).
    """
    sample = _sample(len(xy), seed)
    points, owners = xy[sample], _owners(topics[sample], themes)
    low, high = np.quantile(points, [0.01, 0.99], axis=0) if len(points) else (np.zeros(2), np.ones(2))
    radius = NEIGHBOURHOOD * float(max(np.max(high - low), 1e-9))
    tree = cKDTree(points) if len(points) else None
    anchors: list[tuple[float, float] | None] = []
    for number, members in enumerate(themes):
        preferred = [t for t in (named[number] if named else ()) if t in centres]
        candidates = [centres[t] for t in preferred or members if t in centres]
        if len(candidates) <= 1 or tree is None:
            anchors.append(candidates[0] if candidates else None)
            continue
        scores = [_score(tree.query_ball_point(c, radius), owners, number) for c in candidates]
        anchors.append(candidates[int(np.argmax(scores))])
    return anchors


def map_anchors(
    documents: Documents,
    themes: Sequence[Sequence[int]],
    centres: dict[int, tuple[float, float]],
    named: Sequence[Sequence[int]] | None = None,
) -> list[tuple[float, float] | None]:
    """:func:`theme_anchors` over a map's documents, rounded as the map stores positions: for the
    edits that regroup topics (a merged topic's label; a theme whose topics changed)."""
    xy = np.column_stack([documents.x, documents.y]).astype(np.float32)
    anchors = theme_anchors(xy, np.asarray(documents.topic, dtype=np.int64), themes, centres, named=named)
    return [None if a is None else (round(float(a[0]), 4), round(float(a[1]), 4)) for a in anchors]


def _sample(n_documents: int, seed: int) -> npt.NDArray[np.intp]:
    if n_documents <= SAMPLE:
        return np.arange(n_documents)
    return np.sort(np.random.default_rng(seed).choice(n_documents, SAMPLE, replace=False))


def _owners(topics: npt.NDArray[np.int64], themes: Sequence[Sequence[int]]) -> npt.NDArray[np.int64]:
    """The theme of each document (its number in ``themes``; -1: none)."""
    lookup = np.full(int(topics.max(initial=-1)) + 2, -1, dtype=np.int64)  # index -1 stays "none"
    for number, members in enumerate(themes):
        inside = [topic for topic in members if 0 <= topic < len(lookup) - 1]
        lookup[inside] = number
    return lookup[topics]


def _score(near: list[int], owners: npt.NDArray[np.int64], theme: int) -> float:
    if not near:
        return 0.0
    own = int(np.count_nonzero(owners[near] == theme))
    return own * own / len(near)
