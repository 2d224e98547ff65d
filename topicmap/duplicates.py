"""Near-duplicate groups: documents whose embeddings are almost the same (templates, signatures,
re-posts, the same package description for every architecture).

Two documents are near-duplicates when the cosine similarity of their embeddings is at least
``DUPLICATE_COSINE`` (0.93: docs/pipeline.md, "Near-duplicates"); groups are the connected
components of those pairs, found among each document's nearest neighbours (the kNN graph the
reduction already built: no second search). Groups are numbered from 0, largest first; a document
in no group has -1. Each group's representative is the member closest to the group's mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:  # numpy and scipy are imported where they are used: the schemas import this module
    import numpy as np
    import numpy.typing as npt

DUPLICATE_COSINE = 0.93


class DuplicateGroup(BaseModel):
    id: int
    size: int
    representative: str = Field(description="The id of the member closest to the group's mean embedding.")


class Duplicates(BaseModel):
    """Near-duplicate groups of a map; ``documents.duplicate_group`` says each document's."""

    threshold: float = Field(
        description="Cosine similarity of embeddings at or above which two documents are near-duplicates."
    )
    groups: list[DuplicateGroup] = Field(description="Largest first; group i is `duplicate_group` i.")


def duplicate_groups(
    indices: npt.NDArray[np.int32], distances: npt.NDArray[np.float32], threshold: float = DUPLICATE_COSINE
) -> npt.NDArray[np.int64]:
    """Each document's group (from its neighbours ``indices`` at cosine ``distances``), or -1."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = len(indices)
    rows, cols = np.nonzero((1.0 - distances) >= threshold)
    targets = indices[rows, cols]
    keep = targets != rows  # a document is not its own duplicate
    pairs = sp.coo_matrix((np.ones(int(keep.sum()), dtype=np.int8), (rows[keep], targets[keep])), shape=(n, n))
    _, component = connected_components(pairs, directed=False)
    sizes = np.bincount(component)
    names, first = np.unique(component, return_index=True)  # each component and its first document
    grouped = sizes[names] >= 2
    names, first = names[grouped], first[grouped]
    ranked = names[np.lexsort((first, -sizes[names]))]  # largest first, then by first document
    number = np.full(len(sizes), -1, dtype=np.int64)
    number[ranked] = np.arange(len(ranked))
    return number[component]


def representatives(group: npt.NDArray[np.int64], embeddings: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
    """For each document, the row of its group's representative (itself when in no group)."""
    import numpy as np

    chosen = np.arange(len(group), dtype=np.int64)
    for rows in group_rows(group):
        centre = embeddings[rows].mean(axis=0)
        chosen[rows] = rows[int(np.argmax(embeddings[rows] @ centre))]
    return chosen


def group_rows(group: npt.NDArray[np.int64]) -> list[npt.NDArray[np.int64]]:
    """The rows of each group, group 0 first."""
    import numpy as np

    members = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[members], np.arange(int(group.max()) + 2 if len(group) else 1))
    return [members[bounds[number] : bounds[number + 1]] for number in range(len(bounds) - 1)]


def describe_groups(
    group: npt.NDArray[np.int64], representative: npt.NDArray[np.int64], ids: list[str], threshold: float
) -> Duplicates:
    """The groups' sizes and representatives (``representative``: from :func:`representatives`)."""
    groups = [
        DuplicateGroup(id=number, size=len(rows), representative=ids[int(representative[rows[0]])])
        for number, rows in enumerate(group_rows(group))
    ]
    return Duplicates(threshold=threshold, groups=groups)
