"""A map's document embeddings in the API process: read from Redis once, then kept parsed.

What a split re-clusters and what a search by meaning compares queries with. The worker stores them
with the corpus (topicmap/vectors.py); they never change, so a parsed copy in the bounded per-process
cache (api/cache.py) is always right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from api.deps import parsed_cache
from topicmap.schemas import JobRecord, TopicMap
from topicmap.store import JobStore

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

"""384 floats per row outweigh a document's text and position."""


def document_embeddings(
    store: JobStore, record: JobRecord, topic_map: TopicMap, corpus: dict[str, Any]
) -> npt.NDArray[np.float32] | None:
    """The documents' embeddings in the map's order, L2-normalised; None once they expired."""
    from topicmap.vectors import stored_embeddings

    model, dimensions = record.params.model, topic_map.meta.embedding.dimensions
    sha = record.corpus_of_map(topic_map)  # documents added to a version make another corpus
    return parsed_cache().get(
        ("embeddings", sha, model),
        lambda: stored_embeddings(store, sha, model, corpus["texts"], dimensions),
        lambda vectors: int(vectors.nbytes),
    )
