"""Search a map by meaning: the documents and topics closest to a query (embedding similarity)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.access import JobAccess, ViewerDep
from api.deps import SettingsDep, StoreDep, parsed_cache
from api.embeddings import document_embeddings, text_vectors
from api.errors import ApiError
from api.maps import NOT_READY, VersionQuery, documents_out, finished_map, finished_record
from api.schemas import DocumentOut
from topicmap.edits.operations import NO_EMBEDDINGS
from topicmap.schemas import JobRecord, TopicMap
from topicmap.store import JobStore

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

router = APIRouter(prefix="/jobs/{job_id}", tags=["search"])
QueryText = Annotated[
    str, Query(min_length=1, max_length=1000, description="What to look for, in words (at most 1,000 characters)")
]
SEARCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_READY,
    503: {"description": "The query worker did not embed the query in time"},
}


class DocumentHit(DocumentOut):
    score: float = Field(description="Cosine similarity of the document's embedding to the query's.")


class DocumentSearch(BaseModel):
    query: str
    model: str = Field(description="The embedding model of the map, which embedded the query too.")
    documents: list[DocumentHit]
    took_ms: float


class TopicHit(BaseModel):
    topic: int
    label: str
    size: int
    score: float = Field(description="Cosine similarity of the topic's centroid (mean embedding) to the query's.")


class TopicSearch(BaseModel):
    query: str
    model: str
    topics: list[TopicHit]
    took_ms: float


@router.get("/search", summary="Search documents by meaning", responses=SEARCH_RESPONSES)
def search_by_meaning(
    q: QueryText,
    store: StoreDep,
    access: ViewerDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    version: VersionQuery = None,
) -> DocumentSearch:
    """The documents whose embeddings are closest to the query's, best first, with their similarity.
    `GET /documents?q=` is the keyword search."""
    from topicmap.vectors import nearest

    started = time.perf_counter()
    record, topic_map, corpus, vectors, query = searched(store, access, q, version, settings.query_timeout_s)
    rows, scores = nearest(vectors, query, limit)
    hits = [
        DocumentHit(**document.model_dump(), score=score)
        for document, score in zip(documents_out(topic_map, corpus, rows), scores, strict=True)
    ]
    took = round((time.perf_counter() - started) * 1000, 1)
    return DocumentSearch(query=q, model=record.params.model, documents=hits, took_ms=took)


@router.get("/topics/search", summary="Search topics by meaning", responses=SEARCH_RESPONSES)
def search_topics_by_meaning(
    job_id: str,
    q: QueryText,
    store: StoreDep,
    access: ViewerDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
    version: VersionQuery = None,
) -> TopicSearch:
    """The topics whose centroids (mean embedding of their documents) are closest to the query's."""
    from topicmap.vectors import nearest, topic_centroids

    started = time.perf_counter()
    record, topic_map, _, vectors, query = searched(store, access, q, version, settings.query_timeout_s)
    number = version or record.latest_version
    ids, centroids = parsed_cache().get(
        ("centroids", job_id, number),
        lambda: topic_centroids(vectors, topic_map.documents.topic),
        lambda c: int(c[1].nbytes) + 100 * len(c[0]),
    ) or ([], None)
    if centroids is None or not ids:
        return TopicSearch(query=q, model=record.params.model, topics=[], took_ms=0.0)
    rows, scores = nearest(centroids, query, limit)
    by_id = {t.id: t for t in topic_map.topics}
    hits = [
        TopicHit(topic=ids[row], label=by_id[ids[row]].label, size=by_id[ids[row]].size, score=score)
        for row, score in zip(rows, scores, strict=True)
        if ids[row] in by_id
    ]
    took = round((time.perf_counter() - started) * 1000, 1)
    return TopicSearch(query=q, model=record.params.model, topics=hits, took_ms=took)


def searched(
    store: JobStore, access: JobAccess, q: str, version: int | None, timeout_s: float
) -> tuple[JobRecord, TopicMap, dict[str, Any], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The job, its map version, its corpus, its documents' embeddings and the query's embedding."""

    if not q.strip():
        raise ApiError(422, "q: the query is blank")
    record = finished_record(access)
    topic_map, corpus = finished_map(store, access, version)
    vectors = document_embeddings(store, record, topic_map, corpus)
    if vectors is None:
        raise ApiError(409, NO_EMBEDDINGS)
    query = text_vectors(store, record.params.model, [q], vectors.shape[1], timeout_s)[0]
    return record, topic_map, corpus, vectors, query
