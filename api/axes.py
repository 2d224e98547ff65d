"""Semantic axes for the routes: a map version's documents and topics placed between poles.

The poles are embedded by the query worker with the map's model (api/embeddings.py: text_vectors;
a pole embedded before is read from Redis, so a second request needs no worker). The documents'
embeddings come from the bounded per-process cache (api/embeddings.py). The rest is one matrix
product (topicmap/axes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.access import JobAccess
from api.embeddings import document_embeddings, text_vectors
from api.errors import ApiError
from api.maps import finished_map, finished_record
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
    embedded = text_vectors(store, record.params.model, poles, vectors.shape[1], timeout_s)
    x = axis_scores(vectors, embedded[0], embedded[1])
    y = axis_scores(vectors, embedded[2], embedded[3]) if y_axis else None
    return Placement(record, topic_map, x, y, topic_places(topic_map.documents.topic, x, y))
