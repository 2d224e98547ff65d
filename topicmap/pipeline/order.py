"""Row order does not matter: the pipeline sees every corpus in one canonical order.

UMAP, the nearest-neighbour search and even the embedding batches depend on the order of their
input (a seed fixes the random choices, not which row each applies to), so the same corpus in
another row order could give another map. :func:`canonical_order` sorts the documents by (text, id)
before anything runs; :func:`in_input_order` puts the map's per-document columns back in the order
the caller gave. Same corpus, same parameters and seed → same map, whatever the row order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from topicmap.schemas import Documents, TopicMap


def canonical_order(texts: Sequence[str], ids: Sequence[str]) -> npt.NDArray[np.intp] | None:
    """Indices that sort the documents by (text, id); None when they are in that order already."""
    order = np.asarray(sorted(range(len(texts)), key=lambda i: (texts[i], ids[i])), dtype=np.intp)
    return None if bool(np.all(order == np.arange(len(order)))) else order


def in_input_order(topic_map: TopicMap, inverse: npt.NDArray[np.intp]) -> TopicMap:
    """The map with its documents' columns in the caller's order (``inverse``: for each input row,
    its row in the canonical order)."""
    docs = topic_map.documents
    rows = inverse.tolist()
    # the map's own columns, validated when it was built, reordered: no second validation (0.5 s at 100,000)
    topic_map.documents = Documents.model_construct(
        id=[docs.id[r] for r in rows],
        x=[docs.x[r] for r in rows],
        y=[docs.y[r] for r in rows],
        topic=[docs.topic[r] for r in rows],
        outlier=[docs.outlier[r] for r in rows],
        text=[docs.text[r] for r in rows] if docs.text is not None else None,
        duplicate_group=[docs.duplicate_group[r] for r in rows] if docs.duplicate_group is not None else None,
        top_topics=[docs.top_topics[r] for r in rows] if docs.top_topics is not None else None,
        top_strengths=[docs.top_strengths[r] for r in rows] if docs.top_strengths is not None else None,
        tags=[docs.tags[r] for r in rows] if docs.tags is not None else None,
    )
    return topic_map
