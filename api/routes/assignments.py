"""Assign new documents to a finished map: an assignment job, and its result."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import OwnerDep, SettingsDep, StoreDep
from api.errors import ApiError
from api.routes.jobs import read_documents, submit
from api.routes.results import VersionQuery, chosen_version, finished_record
from api.schemas import JobAccepted
from api.stored import stored_response
from worker.contracts import AssignmentSource

router = APIRouter(prefix="/jobs/{job_id}", tags=["assignments"])
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job for this key, or not an assignment"},
    409: {"description": "The map (or the assignment) has not succeeded (yet)"},
}


@router.post("/assignments", status_code=202, summary="Assign new documents to this map", responses=RESPONSES)
async def create_assignment(
    job_id: str,
    request: Request,
    response: Response,
    settings: SettingsDep,
    store: StoreDep,
    owner: OwnerDep,
    version: VersionQuery = None,
) -> JobAccepted:
    """Documents (JSON `{"documents": [...]}` or a file upload, as for a new job) to put into the topics
    of this map's latest version (or `?version=`). Returns 202 and the assignment job's `Location`: it
    has the states, progress, events and cancel of any job; when it succeeds,
    `GET /api/jobs/{assignment}/assignments` has each document's topic, similarity, outlier flag and
    position on the map. The map itself is not changed."""
    source = await run_in_threadpool(finished_record, store, owner, job_id)
    if source.kind != "map":
        raise ApiError(409, "documents can be assigned to a map, not to an assignment's result")
    number = chosen_version(source, version)
    corpus, truncated, _, _ = await read_documents(request, settings, min_documents=1)
    target = AssignmentSource(job=job_id, version=number)
    accepted = await run_in_threadpool(
        submit, store, settings, owner, corpus, truncated, source.params, None, None, target
    )
    response.headers["Location"] = accepted.location
    return accepted


@router.get("/assignments", summary="The documents an assignment job assigned", responses=RESPONSES)
def get_assignments(job_id: str, request: Request, store: StoreDep, owner: OwnerDep) -> Response:
    """`job_id`, `version` and `model` of the map, and per document: `id`, `topic`, `label`, `score`
    (similarity to the topic's centroid), `outlier` (far from every topic), `x`, `y` (its place on the
    map, among its nearest documents)."""
    record = finished_record(store, owner, job_id)
    if record.kind != "assignment":
        raise ApiError(404, "this job is a map, not an assignment; POST documents to its /assignments")
    blob = store.get_assignments(job_id)
    if blob is None:
        raise ApiError(410, "this assignment's result has expired; submit the documents again")
    return stored_response(request, blob, "application/json")
