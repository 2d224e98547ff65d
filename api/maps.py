"""A finished job's map as the routes read it: the record (404/409), a version (404), the map and
its corpus (410 once expired), kept parsed in the process (api/cache.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from api.access import JobAccess
from api.deps import parsed_cache
from api.errors import ApiError
from api.schemas import DocumentOut, TopicStrength
from topicmap.schemas import JobKind, JobRecord, TopicMap
from topicmap.store import JobStore

NOT_READY: dict[int | str, dict[str, Any]] = {
    409: {"description": "The job has not succeeded (yet)"},
    404: {"description": "No such job for this key"},
}


EXPIRED = "the results of this job have expired"


def finished_record(access: JobAccess, kind: JobKind = "map") -> JobRecord:
    """The job's record; 404 when it is not of ``kind`` (a map's routes asked of an assignment, or
    the reverse), 409 (with the state) while the job has not succeeded."""
    record, job_id = access.record, access.record.id
    if record.kind != kind:
        if record.kind == "assignment" and record.assigns_to is not None:
            raise ApiError(
                404,
                f"job {job_id} assigns documents to the map of job {record.assigns_to.job}; it has no map of "
                f"its own: its result is at /api/jobs/{job_id}/assignments",
            )
        raise ApiError(404, f"job {job_id} is a map, not an assignment; POST documents to its /assignments")
    if record.state != "succeeded":
        raise ApiError(409, f"the job is {record.state}; its map is available once it has succeeded")
    return record


VersionQuery = Annotated[
    int | None, Query(ge=1, le=1_000_000, description="A version of the map (see /versions); default: the latest")
]


def chosen_version(record: JobRecord, version: int | None) -> int:
    """``version``, or the latest; 404 for a version the map does not have."""
    latest = record.latest_version
    if version is None:
        return latest
    if version > latest:
        raise ApiError(404, f"the map has no version {version}; its versions are 1 to {latest}")
    return version


def finished_map(store: JobStore, access: JobAccess, version: int | None = None) -> tuple[TopicMap, dict[str, Any]]:
    """A version of the job's map (the latest by default) and the corpus, read-only; 409 while the
    job has not succeeded, 410 once they expired. Both are kept parsed in the process (api/cache.py)."""
    record = finished_record(access)
    job_id = record.id
    number = chosen_version(record, version)
    cache = parsed_cache()
    topic_map = cache.get(("map", job_id, number), lambda: store.get_map(job_id, number), map_bytes)
    corpus = cached_corpus(store, record.corpus_of(number))
    if topic_map is None or corpus is None:
        raise ApiError(410, EXPIRED)
    return topic_map, corpus


def cached_corpus(store: JobStore, sha: str) -> dict[str, Any] | None:
    return parsed_cache().get(("corpus", sha), lambda: store.get_corpus(sha), corpus_bytes)


PER_DOCUMENT_BYTES = 200
"""What a parsed document costs besides its text: its id, its columns in the map, a metadata dict."""


def map_bytes(topic_map: TopicMap) -> int:
    """About what a parsed map holds in the process (the cache's size of it)."""
    return PER_DOCUMENT_BYTES * len(topic_map.documents.id) + 2000 * len(topic_map.topics)


def corpus_bytes(corpus: dict[str, Any]) -> int:
    """About what a parsed corpus holds: its texts (UTF-8 size is close to Python's for most text)
    and a fixed cost per document."""
    return sum(len(text) for text in corpus["texts"]) + PER_DOCUMENT_BYTES * len(corpus["texts"])


def row_index(topic_map: TopicMap) -> dict[str, int]:
    return {doc_id: row for row, doc_id in enumerate(topic_map.documents.id)}


def documents_out(topic_map: TopicMap, corpus: dict[str, Any], rows: list[int]) -> list[DocumentOut]:
    docs = topic_map.documents
    labels = {t.id: t.label for t in topic_map.topics}
    return [
        DocumentOut(
            id=docs.id[i],
            text=corpus["texts"][i],
            topic=docs.topic[i],
            label=labels.get(docs.topic[i], ""),
            outlier=docs.outlier[i],
            x=docs.x[i],
            y=docs.y[i],
            topics=[
                TopicStrength(topic=t, label=labels.get(t, ""), strength=s)
                for t, s in zip(docs.top_topics[i], docs.top_strengths[i], strict=True)
            ]
            if docs.top_topics is not None and docs.top_strengths is not None
            else None,
            tags=docs.tags[i] if docs.tags is not None else [],
        )
        for i in rows
    ]
