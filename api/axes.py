"""Semantic axes for the routes: a map version's documents and topics placed between poles.

The poles are embedded by the query worker (api/queue.py), with the map's model; a pole embedded
before is read from Redis (every text the query worker embeds is kept per text), so a second
request with the same poles needs no worker. The documents' embeddings come from the bounded
per-process cache (api/embeddings.py). The rest is one matrix product (topicmap/axes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.access import JobAccess
from api.embeddings import document_embeddings
from api.errors import ApiError
from api.maps import finished_map, finished_record
from api.queue import ModelNotOffered, QueryWorkerUnavailable, embed_texts
from topicmap.axes import Axis, TopicPlace, axis_scores, topic_places
from topicmap.edits.operations import NO_EMBEDDINGS
from topicmap.schemas import JobRecord, TopicMap
from topicmap.store import JobStore

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass
class Placement:
    record: JobRecord
    topic_map: TopicMap
    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.float32] | None
    places: list[TopicPlace]


def place_on_axes(
    store: JobStore, access: JobAccess, version: int | None, x_axis: Axis, y_axis: Axis | None, timeout_s: float
) -> Placement:
    record = finished_record(access)
    topic_map, corpus = finished_map(store, access, version)
    vectors = document_embeddings(store, record, topic_map, corpus)
    if vectors is None:
        raise ApiError(409, NO_EMBEDDINGS)
    poles = list(x_axis.poles) + (list(y_axis.poles) if y_axis else [])
    embedded = pole_vectors(store, record.params.model, poles, vectors.shape[1], timeout_s)
    x = axis_scores(vectors, embedded[0], embedded[1])
    y = axis_scores(vectors, embedded[2], embedded[3]) if y_axis else None
    return Placement(record, topic_map, x, y, topic_places(topic_map.documents.topic, x, y))


def pole_vectors(
    store: JobStore, model: str, poles: list[str], dimensions: int, timeout_s: float
) -> list[npt.NDArray[np.float32]]:
    import numpy as np

    from topicmap.vectors import decode_rows

    stored = store.get_vectors(model, poles)
    missing = [pole for pole, row in zip(poles, stored, strict=True) if row is None]
    fresh: dict[str, npt.NDArray[np.float32]] = {}
    if missing:
        try:
            vectors = embed_texts(model, missing, timeout_s)
        except ModelNotOffered as exc:
            raise ApiError(409, str(exc)) from None
        except QueryWorkerUnavailable as exc:
            raise ApiError(503, str(exc), headers={"Retry-After": "5"}) from None
        fresh = {pole: np.asarray(v, dtype=np.float32) for pole, v in zip(missing, vectors, strict=True)}
    return [
        decode_rows([row], dimensions)[0] if row is not None else fresh[pole]
        for pole, row in zip(poles, stored, strict=True)
    ]
