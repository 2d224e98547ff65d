"""Assign new documents to a finished map: an assignment job, and its result."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.access import ViewerDep
from api.deps import SettingsDep, StoreDep
from api.errors import ApiError
from api.maps import EXPIRED, VersionQuery, cached_corpus, chosen_version, finished_record
from api.schemas import JobAccepted
from api.stored import stored_response
from api.submission import read_documents, submit
from topicmap.corpus import Corpus
from topicmap.models import offered
from topicmap.schemas import AssignmentSource, JobRecord
from topicmap.shares import allows
from topicmap.store import JobStore

router = APIRouter(prefix="/jobs/{job_id}", tags=["assignments"])
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job for this key, or not an assignment"},
    409: {"description": "The map (or the assignment) has not succeeded (yet); `add` to a version not the latest"},
    422: {"description": "No documents, or (with `add`) ids the map already has"},
}


@router.post("/assignments", status_code=202, summary="Assign new documents to this map", responses=RESPONSES)
async def create_assignment(
    job_id: str,
    request: Request,
    response: Response,
    settings: SettingsDep,
    store: StoreDep,
    access: ViewerDep,
    version: VersionQuery = None,
    add: Annotated[
        bool, Query(description="Also make the next version of the map, with these documents in it")
    ] = False,
) -> JobAccepted:
    """Documents (JSON `{"documents": [...]}` or a file upload, as for a new job) to put into the topics
    of this map's latest version (or `?version=`). Returns 202 and the assignment job's `Location`: it
    has the states, progress, events and cancel of any job; when it succeeds,
    `GET /api/jobs/{assignment}/assignments` has each document's topic, similarity, outlier flag and
    position on the map. The map itself is not changed, unless `add=true`: then, when the job
    succeeds, the map has a new version (its `added_version`) with the documents in it, as members
    of their topics (the topics' sizes, terms and labels follow; a person's label stays). Documents
    sent without an id get numbers after the map's; an id the map already has is a 422."""
    if access.caller is None:
        raise ApiError(403, "a share link only reads the map; assigning documents needs an API key")
    if add and not allows(access.role, "editor"):
        raise ApiError(403, f"{access.name} is a viewer of this map; adding documents to it needs an editor")
    source = finished_record(access)
    if not offered(settings.models, source.params.model):
        raise ApiError(
            409,
            f"this map was made with the embedding model {source.params.model!r}, which this service does not offer: "
            "new documents cannot be put into it (their embeddings would not be comparable); view and edit it, "
            "or map the documents with it where that model is offered",
        )
    number = chosen_version(source, version)
    corpus, truncated, *_ = await read_documents(request, settings, min_documents=1)
    if add:
        await run_in_threadpool(check_addable, store, source, number, corpus)
    target = AssignmentSource(job=job_id, version=number, add=add)
    accepted = await run_in_threadpool(
        submit, store, settings, access.name, corpus, truncated, source.params, None, None, target
    )
    response.headers["Location"] = accepted.location
    return accepted


@router.get("/assignments", summary="The documents an assignment job assigned", responses=RESPONSES)
def get_assignments(job_id: str, request: Request, store: StoreDep, access: ViewerDep) -> Response:
    """`job_id`, `version` and `model` of the map, and per document: `id`, `topic`, `label`, `score`
    (similarity to the topic's centroid), `outlier` (far from every topic), `x`, `y` (its place on the
    map, among its nearest documents)."""
    finished_record(access, kind="assignment")  # 404 for a map, 409 while it runs
    blob = store.get_assignments(job_id)
    if blob is None:
        raise ApiError(410, "this assignment's result has expired; submit the documents again")
    return stored_response(request, blob, "application/json")


def check_addable(store: JobStore, source: JobRecord, number: int, corpus: Corpus) -> None:
    """Documents can join the latest version only, under ids the map does not have (those sent without
    an id are numbered after the map's)."""
    if number != source.latest_version:
        raise ApiError(
            409, f"documents can be added to the latest version of the map ({source.latest_version}), not {number}"
        )
    mapped = cached_corpus(store, source.corpus_of(number))
    if mapped is None:
        raise ApiError(410, EXPIRED)
    taken = set(mapped["ids"])
    corpus.number_after(taken)
    clash = [doc_id for doc_id in corpus.ids if doc_id in taken]
    if clash:
        shown = ", ".join(repr(doc_id) for doc_id in clash[:5]) + (", …" if len(clash) > 5 else "")
        raise ApiError(422, f"the map already has documents with the ids {shown}: give the new documents other ids")
