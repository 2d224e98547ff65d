"""Jobs: submit a corpus, follow its progress (polling or Server-Sent Events), list, cancel."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.access import CallerDep, OwnerOfJobDep, ViewerDep, role_on
from api.config import ApiSettings
from api.deps import ArchiveDep, SettingsDep, StoreDep
from api.errors import ApiError
from api.events import RESYNC, hub_for
from api.schemas import EXAMPLE_DOCUMENTS, JobAccepted, JobChange, JobList, JobStatus
from api.submission import checked_callback, job_name, read_documents, submit
from topicmap.corpus import Corpus
from topicmap.errors import IllegalTransition
from topicmap.kept import change_kept
from topicmap.kept import purge as purge_everywhere
from topicmap.schemas import (
    JobRecord,
    PipelineParams,
)
from topicmap.shares import JobRole
from topicmap.store import JobStore, is_terminal

router = APIRouter(prefix="/jobs", tags=["jobs"])
logger = logging.getLogger("topicmap.api")

CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/JobCreate"},
                "example": {"documents": EXAMPLE_DOCUMENTS, "params": {"min_topic_size": 10}},
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": ".csv, .tsv, .json, .jsonl or .txt",
                        },
                        "text_column": {
                            "type": "string",
                            "description": "Column holding the text (default: one named text/content/document/body, "
                            "else the only column of text, else the one of much longer texts).",
                        },
                        "header": {
                            "type": "boolean",
                            "default": True,
                            "description": "false: the .csv/.tsv file has no header line; its first line is a "
                            "document and its columns are named 'column 1', 'column 2'…",
                        },
                        "encoding": {
                            "type": "string",
                            "description": "The file's text encoding when it is not UTF-8 (or UTF-16 with its "
                            "mark): cp1252 for Excel's plain CSV on Windows, latin-1, shift_jis…",
                        },
                        "name": {"type": "string", "description": "What to call the map (default: the file's name)."},
                        "params": {"type": "string", "description": 'Parameters as JSON, e.g. {"min_topic_size": 10}'},
                        "callback_url": {"type": "string", "description": "Webhook called when the job finishes."},
                    },
                }
            },
        },
    }
}


def worker_alive(record: JobRecord, settings: ApiSettings) -> bool | None:
    """While running: whether the job's worker was heard from within `worker_timeout_s`."""
    if record.state != "running":
        return None
    return (time.time() - (record.heartbeat_at or 0)) < settings.worker_timeout_s


def status_of(store: JobStore, record: JobRecord, settings: ApiSettings, role: JobRole | None = None) -> JobStatus:
    position = store.queue_position(record.id) if record.state == "queued" else None
    alive = worker_alive(record, settings)
    return JobStatus.from_record(record, queue_position=position, worker_alive=alive, role=role)


@router.post(
    "",
    status_code=202,
    summary="Submit a corpus to map",
    response_description="The job was queued; poll `Location` for its progress.",
    openapi_extra=CREATE_BODY,
    responses={
        413: {"description": "Body or corpus over the limits"},
        415: {"description": "Neither JSON nor multipart"},
        429: {"description": "Too many active jobs for this key"},
    },
)
async def create_job(
    request: Request,
    response: Response,
    settings: SettingsDep,
    store: StoreDep,
    caller: CallerDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> JobAccepted:
    """Queue a topic-map job for a JSON list of documents or an uploaded file; returns 202 and `Location`."""
    corpus, truncated, params, callback_url, name = await read_documents(request, settings)
    callback = await run_in_threadpool(checked_callback, settings, callback_url) if callback_url else None
    accepted = await run_in_threadpool(
        submit, store, settings, caller.name, corpus, truncated, params, idempotency_key, callback, name=name
    )
    response.headers["Location"] = accepted.location
    return accepted


@router.post(
    "/{job_id}/rerun",
    status_code=202,
    summary="Map a job's corpus again with other parameters",
    responses={404: {"description": "No such job for this key"}, 410: {"description": "The corpus has expired"}},
)
def rerun_job(
    params: PipelineParams, response: Response, settings: SettingsDep, store: StoreDep, access: OwnerOfJobDep
) -> JobAccepted:
    """A new job on the stored corpus of `job_id` (no upload; embeddings come from the cache)."""
    record = access.record
    stored = store.get_corpus(record.corpus)
    if stored is None:
        raise ApiError(410, "the corpus of this job has expired; submit it again")
    corpus = Corpus(
        stored["texts"],
        stored["ids"],
        stored["metadata"],
        n_received=record.documents.received,
        n_dropped=record.documents.dropped,
        text_column=record.documents.text_column,
    )
    accepted = submit(
        store, settings, access.name, corpus, record.documents.truncated, params, None, name=record.name
    )  # the same map's corpus: the same name
    response.headers["Location"] = accepted.location
    return accepted


@router.get("", summary="List my jobs")
def list_jobs(
    settings: SettingsDep,
    store: StoreDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    shared: Annotated[bool, Query(description="The jobs others shared with me instead, with my role")] = False,
) -> JobList:
    """The caller's jobs, newest first; with `shared=true`, the jobs shared with the caller."""
    if shared:
        found = [(r, role_on(store, caller, r)) for r in map(store.get, store.shared_with(caller.name)) if r]
        listed = sorted(((r, role) for r, role in found if role is not None), key=lambda rr: -rr[0].created_at)
        jobs = [status_of(store, r, settings, role) for r, role in listed[offset : offset + limit]]
        return JobList(jobs=jobs, total=len(listed), limit=limit, offset=offset)
    records, total = store.list_jobs(caller.name, offset=offset, limit=limit)
    jobs = [status_of(store, r, settings, "owner") for r in records]
    return JobList(jobs=jobs, total=total, limit=limit, offset=offset)


@router.get(
    "/{job_id}",
    summary="State and progress of a job",
    response_model=JobStatus,
    responses={404: {"description": "No such job for this key"}},
)
def get_job(settings: SettingsDep, store: StoreDep, access: ViewerDep) -> Response:
    """State, stage, progress (done/total/fraction), ETA, queue position, attempts, errors, counts."""
    # The hottest route (clients poll it): serialised once here, not validated a second time by FastAPI.
    status = status_of(store, access.record, settings, access.role)
    return Response(status.model_dump_json(), media_type="application/json")


@router.patch(
    "/{job_id}",
    summary="Rename a map",
    response_model=JobStatus,
    responses={403: {"description": "Only the map's owner names it"}, 404: {"description": "No such job for this key"}},
)
def rename_job(
    body: JobChange, settings: SettingsDep, store: StoreDep, archive: ArchiveDep, access: OwnerOfJobDep
) -> JobStatus:
    """The map's name in the job lists, above the map, and for the people it is shared with; a kept
    map's library entry takes it too. The job expires when it would have."""
    name = job_name(body.name)
    if name is None:
        raise ApiError(422, "name: a name needs more than spaces")
    entry = store.get_kept(access.record.id)
    if entry is not None:  # change_kept renames the archived bundle, the library entry and the job
        change_kept(store, archive, entry, {"name": name})
        record = store.get(access.record.id) or access.record
    else:
        record = store.change(access.record.id, lambda _: {"name": name}, keep_ttl=True) or access.record
    logger.info("job renamed", extra={"job_id": record.id, "owner": access.name})
    return status_of(store, record, settings, "owner")


@router.delete(
    "/{job_id}",
    summary="Cancel a job, or delete a finished one",
    response_model=JobStatus,
    responses={
        204: {"description": "Purged: the finished job and its results are deleted"},
        409: {"description": "The job already finished (cancel), or has not finished yet (purge)"},
    },
)
def cancel_job(
    job_id: str,
    response: Response,
    settings: SettingsDep,
    store: StoreDep,
    archive: ArchiveDep,
    access: OwnerOfJobDep,
    purge: Annotated[
        bool, Query(description="Delete a finished job (succeeded, failed or cancelled) and its results")
    ] = False,
) -> JobStatus | Response:
    """A queued job never starts; a running one stops at the next stage or batch (202 until it has).

    With `purge=true`, a finished job is deleted instead: its record, map and renderings, and its
    bytes no longer count against the key's storage quota (204). A kept map leaves the library and
    the archive too. The corpus is kept until it expires, since other jobs may share it.
    """
    record = access.record
    if purge:
        if not is_terminal(record.state):
            raise ApiError(409, f"the job is {record.state}; cancel it first, then purge it once it has stopped")
        was_kept = purge_everywhere(store, archive, record)
        logger.info("job purged", extra={"job_id": job_id, "owner": access.name, "was_kept": was_kept})
        return Response(status_code=204)
    if record.state in ("succeeded", "failed"):
        raise ApiError(409, f"the job already {record.state}; nothing to cancel (purge=true deletes it)")
    store.request_cancel(job_id)
    if record.state == "queued":
        try:
            record = store.update(job_id, state="cancelled", finished_at=time.time()) or record
        except IllegalTransition:  # a worker took it meanwhile: it stops at its next stage or batch
            record = store.get(job_id) or record
    if record.state in ("succeeded", "failed"):  # it finished meanwhile: the cancel changed nothing
        raise ApiError(409, f"the job already {record.state}; nothing to cancel (purge=true deletes it)")
    if record.state == "running":
        response.status_code = 202
    return status_of(store, record, settings)


@router.get(
    "/{job_id}/events",
    summary="Progress as Server-Sent Events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {"example": 'event: progress\ndata: {"state": "running", ...}\n\n'}}}
    },
)
async def job_events(job_id: str, settings: SettingsDep, store: StoreDep, _access: ViewerDep) -> StreamingResponse:
    """`progress` events on every change, `: ping` comments to keep the connection open, then `end`."""
    return StreamingResponse(
        event_stream(store, settings, job_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def event_stream(store: JobStore, settings: ApiSettings, job_id: str) -> AsyncIterator[str]:
    """Sends the status when it changes, woken by the job's published record (api/events.py), never polling.

    Between messages, each keep-alive tick recomputes the status from the record in hand (no Redis
    call), so a worker that stops beating shows as `worker_alive: false`.
    """
    async with hub_for(settings.redis_url).listen(job_id) as listener:
        record = await run_in_threadpool(store.get, job_id)
        position = await run_in_threadpool(store.queue_position, job_id)
        last: dict[str, Any] | None = None
        while True:
            if record is None:
                yield sse("end", {"job_id": job_id, "state": "expired"})
                return
            status = JobStatus.from_record(
                record,
                queue_position=position if record.state == "queued" else None,
                worker_alive=worker_alive(record, settings),
            ).model_dump(mode="json")
            if status != last:
                last = status
                yield sse("end" if is_terminal(record.state) else "progress", status)
                if is_terminal(record.state):
                    return
            message = await listener.next(timeout=settings.sse_ping_s)
            if message is None:
                yield ": ping\n\n"
            elif message == RESYNC:
                record = await run_in_threadpool(store.get, job_id)
                position = await run_in_threadpool(store.queue_position, job_id)
            else:
                record = JobRecord.model_validate_json(message)
                if record.state == "queued":
                    position = await run_in_threadpool(store.queue_position, job_id)


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"
