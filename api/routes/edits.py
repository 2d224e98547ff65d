"""Edits of a finished job's map, each making a new version, and the list of versions."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Header, Response

from api.access import EditorDep, JobAccess, ViewerDep
from api.deps import ArchiveDep, SettingsDep, StoreDep
from api.embeddings import document_embeddings
from api.errors import ApiError
from api.maps import EXPIRED, cached_corpus, finished_record
from topicmap.edits.commit import commit_version
from topicmap.edits.operations import EditRequest, apply_edits
from topicmap.errors import Expired, NotFound, StaleVersion
from topicmap.kept import sync_kept_or_log
from topicmap.schemas import JobRecord, MapVersion, TopicMap
from topicmap.store import JobStore
from topicmap.store.versions import JobVersions
from topicmap.views import attach_views

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import scipy.sparse as sp

    from topicmap.terms import TermTable

router = APIRouter(prefix="/jobs/{job_id}", tags=["edits"])
logger = logging.getLogger("topicmap.api")
RETRIES = 3
EDIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job for this key, or an unknown topic, node or version"},
    409: {"description": "The job has not succeeded (yet)"},
    410: {"description": "The map (or what a regrouping needs) has expired"},
    412: {"description": "If-Match names a version that is no longer the latest"},
    422: {"description": "An operation that cannot apply to this map (e.g. a topic in two merges)"},
}


def versions_of(record: JobRecord) -> list[MapVersion]:
    return record.history()


def parse_if_match(value: str | None) -> int | None:
    """`If-Match: "3"` (or 3, W/"3"): the version the client last saw."""
    if value is None:
        return None
    digits = value.strip().removeprefix("W/").strip('"')
    if not digits.isdigit():
        raise ApiError(412, f'If-Match must name a map version, e.g. "3" (got {value[:20]!r})')
    return int(digits)


def load_terms(store: JobStore, job_id: str, version: int) -> TermTable | None:
    """A version's stored term counts (read only when a merge needs them)."""
    blob = store.get_terms(job_id, version)
    if blob is None:
        return None
    from topicmap.terms import TermTable

    return TermTable.from_bytes(blob)


def load_presence(store: JobStore, job_id: str, corpus: str | None) -> sp.csr_matrix | None:
    """The term presence of the documents of a corpus of the job's versions (read only when regrouping)."""
    blob = store.get_presence(job_id, corpus)
    if blob is None:
        return None
    from topicmap.terms import presence_from_bytes

    return presence_from_bytes(blob)


def load_embeddings(store: JobStore, record: JobRecord, topic_map: TopicMap) -> npt.NDArray[np.float32] | None:
    """The documents' embeddings, in the map's order (read only for a split)."""
    corpus = cached_corpus(store, record.corpus_of_map(topic_map))
    return document_embeddings(store, record, topic_map, corpus) if corpus is not None else None


def load(store: JobStore, job_id: str, version: int, latest: int) -> TopicMap:
    if not 1 <= version <= latest:
        raise NotFound(f"the map has no version {version}; its versions are 1 to {latest}")
    topic_map = store.get_map(job_id, version)
    if topic_map is None:
        raise Expired(EXPIRED)
    return topic_map


@router.post("/edits", status_code=201, summary="Edit the map: a new version", responses=EDIT_RESPONSES)
def edit_map(
    job_id: str,
    body: EditRequest,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    access: EditorDep,
    archive: ArchiveDep,
    if_match: Annotated[str | None, Header(description='The version the edit is based on, e.g. "3"')] = None,
) -> MapVersion:
    """Apply `operations` in order to the latest version and store the result as the next version.

        `rename` {`topic` or `node`, `label`} gives a person's label (kept by later edits that do not
        touch it); `revert` {`version`} starts from an earlier version (undo); `merge` {`topics`,
        optional `label`} joins topics into the largest; `reduce` {`n_topics`} merges the most similar
        topics until at most that many remain; `move` {`documents`, `topic`} puts documents (ids) into a
    topic; `split` {`topic`, `k`} re-clusters a topic's documents into `k` topics (k-means on their
    stored embeddings; the topic needs at least `k` x the smallest topic size). With `If-Match`, an edit
        based on a version that is no longer the latest is refused with 412; without it, an edit that
        lost a race is applied again to the new latest version.
    """
    expected = parse_if_match(if_match)
    for _ in range(RETRIES):
        try:
            entry = commit_edit(store, access.reread(store), body, expected, settings.max_stored_bytes_per_key)
        except StaleVersion as stale:
            if expected is not None:
                message = f"the map moved to version {stale.latest} meanwhile; reload it and edit again"
                raise ApiError(412, message) from None
            continue  # no If-Match: apply the same operations to the new latest version
        logger.info("map edited", extra={"job_id": job_id, "owner": access.name, "version": entry.number})
        sync_kept_or_log(store, archive, job_id)  # a kept map's every version is in the archive
        response.headers["Location"] = f"/api/jobs/{job_id}/map?version={entry.number}"
        response.headers["ETag"] = f'"{entry.number}"'
        return entry
    raise ApiError(409, "the map kept changing while this edit was applied; retry")


def commit_edit(store: JobStore, access: JobAccess, body: EditRequest, expected: int | None, quota: int) -> MapVersion:
    """One attempt: read the latest version, apply the operations, commit if nobody committed first
    (and the new version fits in the map owner's storage quota: it pays for the map's versions)."""
    record = finished_record(access)
    job_id = record.id
    latest = record.latest_version
    if expected is not None and expected != latest:
        raise ApiError(412, f"the map is at version {latest}, not {expected}; reload it and edit again")
    current = load(store, job_id, latest, latest)
    edited = apply_edits(
        current,
        body.operations,
        lambda k: load(store, job_id, k, latest),
        latest_number=latest,
        load_terms=lambda k: load_terms(store, job_id, k),
        load_presence=lambda corpus: load_presence(store, job_id, corpus),
        load_embeddings=lambda topic_map: load_embeddings(store, record, topic_map),
    )
    if record.params.class_column or record.params.time_column:  # documents may have changed topics
        corpus = cached_corpus(store, record.corpus_of_map(edited.topic_map))  # a revert may go to fewer
        if corpus is not None:
            attach_views(edited.topic_map, corpus["metadata"], record.params)
    operations = [operation.model_dump(exclude_none=True) for operation in body.operations]
    return commit_version(
        JobVersions(store, job_id, quota),
        edited,
        latest=latest,
        author=access.name,
        operations=operations,
        if_match=expected,
    )


@router.get("/versions", summary="The versions of the map", responses=EDIT_RESPONSES)
def list_versions(access: ViewerDep) -> list[MapVersion]:
    """Every version, oldest first: who made it, when, from which version, with which operations."""
    return versions_of(finished_record(access))
