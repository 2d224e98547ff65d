"""A map's document embeddings in the API process: read from Redis once, then kept parsed.

What a split re-clusters and what a search by meaning compares queries with. The worker stores them
with the corpus (topicmap/vectors.py); they never change, so a parsed copy in the bounded per-process
cache (api/cache.py) is always right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from api.deps import parsed_cache
from api.errors import ApiError
from api.queue import ModelNotOffered, QueryWorkerUnavailable, embed_texts
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


def text_vectors(
    store: JobStore, model: str, texts: list[str], dimensions: int, timeout_s: float
) -> list[npt.NDArray[np.float32]]:
    """Short texts' embeddings (a search query, an axis' texts) with the map's ``model``: those the
    query worker embedded before are kept in Redis per text; the others are embedded by it now."""
    import numpy as np

    from topicmap.vectors import decode_rows

    stored = store.get_vectors(model, texts)
    missing = [text for text, row in zip(texts, stored, strict=True) if row is None]
    fresh: dict[str, npt.NDArray[np.float32]] = {}
    if missing:
        try:
            vectors = embed_texts(model, missing, timeout_s)
        except ModelNotOffered as exc:
            raise ApiError(409, str(exc)) from None
        except QueryWorkerUnavailable as exc:
            raise ApiError(503, str(exc), headers={"Retry-After": "5"}) from None
        fresh = {text: np.asarray(v, dtype=np.float32) for text, v in zip(missing, vectors, strict=True)}
    return [
        decode_rows([row], dimensions)[0] if row is not None else fresh[text]
        for text, row in zip(texts, stored, strict=True)
    ]
