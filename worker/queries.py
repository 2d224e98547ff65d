"""Embedding search queries: the query worker's side (a solo worker on the ``queries`` queue).

The model stays loaded between queries (one per model name); each vector is stored per text, the
way a sharded job stores its documents', so the API finds a repeated query without a round trip.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from topicmap.store import JobStore
from topicmap.vectors import encode_rows

if TYPE_CHECKING:
    from topicmap.pipeline.encoders import Encoder


@functools.cache
def loaded_encoder(model: str) -> Encoder:
    from topicmap.pipeline.encoders import load_encoder

    return load_encoder(model)


def embed_texts(store: JobStore, model: str, texts: Sequence[str]) -> list[list[float]]:
    vectors = loaded_encoder(model).encode(list(texts))
    store.put_vectors(model, texts, encode_rows(vectors))
    return [[round(float(v), 6) for v in row] for row in vectors]
