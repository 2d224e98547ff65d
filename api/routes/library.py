"""Maps that last and travel: keep a map (the archive), the library, bundles out and in."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.access import CallerDep, OwnerOfJobDep, ViewerDep
from api.config import ApiSettings
from api.deps import ArchiveDep, SettingsDep, StoreDep
from api.errors import ApiError
from api.maps import finished_record
from api.schemas import JobStatus
from topicmap.bundle import KeptInfo, read_bundle, write_bundle
from topicmap.kept import change_kept, content_of_job, keep, new_job_id, put_content, unkeep
from topicmap.library import LibraryEntry, matching
from topicmap.models import offered
from topicmap.schemas import JobRecord
from topicmap.store import JobStore

router = APIRouter(tags=["library"])
logger = logging.getLogger("topicmap.api")
CHUNK = 1 << 20
INFLATE_FACTOR = 8
"""A bundle may inflate to this many times the upload limit (embeddings and JSON compress ~2-5x)."""
RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only the map's owner (or an admin) keeps it or changes how it is kept"},
    404: {"description": "No such job for this key, or the map is not kept"},
    409: {"description": "The job has not succeeded (only a finished map is kept or bundled)"},
    413: {"description": "Over the storage quota, or the bundle is larger than allowed"},
    422: {"description": "Not a readable bundle (what is wrong is in the detail)"},
}


class KeepRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Support tickets, Q3", "tags": ["support"]}]},
    )

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=50)


class KeepChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    tags: list[str] | None = Field(default=None, max_length=50)


class LibraryPage(BaseModel):
    maps: list[LibraryEntry]
    total: int


@router.post("/jobs/{job_id}/keep", summary="Keep this map (in the archive, in the library)", responses=RESPONSES)
def keep_map(
    body: KeepRequest,
    response: Response,
    access: OwnerOfJobDep,
    store: StoreDep,
    archive: ArchiveDep,
    settings: SettingsDep,
) -> LibraryEntry:
    """Writes the map's bundle (every version, the exact corpus, embeddings, tags) to the map archive
    and lists it in the library (`GET /api/maps`). It no longer expires: when its working copy in
    Redis does, opening it restores it from the archive; every later version is archived as it is
    made. Its bundle's bytes count toward your storage quota. Keeping a kept map again renames it."""
    record = finished_record(access)
    info = KeptInfo(owner=record.owner, name=body.name, description=body.description, tags=clean_tags(body.tags))
    entry = keep(store, archive, record, info, quota=settings.max_stored_bytes_per_key)
    logger.info("map kept", extra={"job_id": record.id, "owner": access.name, "bytes": entry.bytes})
    response.headers["Location"] = f"/api/jobs/{record.id}/keep"
    return entry


@router.get("/jobs/{job_id}/keep", summary="How this map is kept", responses=RESPONSES)
def kept_map(access: ViewerDep, store: StoreDep) -> LibraryEntry:
    entry = store.get_kept(access.record.id)
    if entry is None:
        raise ApiError(404, "this map is not kept: its owner keeps it with POST /api/jobs/{id}/keep")
    return entry


@router.patch(
    "/jobs/{job_id}/keep", summary="Rename a kept map, or change its description or tags", responses=RESPONSES
)
def change_kept_map(body: KeepChange, access: OwnerOfJobDep, store: StoreDep, archive: ArchiveDep) -> LibraryEntry:
    entry = store.get_kept(access.record.id)
    if entry is None:
        raise ApiError(404, "this map is not kept: keep it first (POST /api/jobs/{id}/keep)")
    changes = body.model_dump(exclude_none=True)
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    return change_kept(store, archive, entry, changes)


@router.delete("/jobs/{job_id}/keep", status_code=204, summary="Stop keeping this map", responses=RESPONSES)
def unkeep_map(access: OwnerOfJobDep, store: StoreDep, archive: ArchiveDep) -> Response:
    """The archive's copy is deleted and its bytes leave your quota; the working copy expires as usual."""
    entry = store.get_kept(access.record.id)
    if entry is None:
        raise ApiError(404, "this map is not kept")
    unkeep(store, archive, entry)
    logger.info("map un-kept", extra={"job_id": entry.job, "owner": access.name})
    return Response(status_code=204)


@router.get("/maps", summary="The library: kept maps of yours and shared with you")
def library(
    caller: CallerDep,
    store: StoreDep,
    tag: Annotated[str | None, Query(max_length=100, description="Only maps with this tag")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the name, description or tags")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> LibraryPage:
    """Name, owner, description, tags, documents, topics, versions, last edited and bytes of each kept
    map you own or that is shared with you, most recently edited first. Open one as any job."""
    ids = set(store.kept_ids(caller.name)) | set(store.shared_ids(caller.name))
    found = matching(store.kept_entries(sorted(ids)), tag=tag, text=q)
    return LibraryPage(maps=found[offset : offset + limit], total=len(found))


@router.get(
    "/jobs/{job_id}/bundle",
    summary="Download the map as a bundle (.topicmap)",
    response_class=StreamingResponse,
    responses={**RESPONSES, 200: {"content": {"application/zip": {}}, "description": "The bundle"}},
)
async def download_bundle(access: ViewerDep, store: StoreDep) -> StreamingResponse:
    """Every version, the version history, the exact corpus, float16 embeddings, term tables and tags,
    in one zip (format in docs/api.md): open it with `topicmap edit|search|assign`, or import it into
    any topicmap service (`POST /api/maps/import`)."""
    record = finished_record(access)
    spooled = await run_in_threadpool(spooled_bundle, store, record)
    headers = {"Content-Disposition": f'attachment; filename="{record.id}.topicmap"'}
    return StreamingResponse(chunks_of(spooled), media_type="application/zip", headers=headers)


def spooled_bundle(store: JobStore, record: JobRecord) -> IO[bytes]:
    """The bundle written to a temporary file (in memory while small), ready to be streamed."""
    spooled = tempfile.SpooledTemporaryFile(max_size=32 * CHUNK)
    write_bundle(content_of_job(store, record), spooled)
    spooled.seek(0)
    return spooled


def chunks_of(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


@router.post("/maps/import", status_code=201, summary="Import a bundle as a new finished map", responses=RESPONSES)
async def import_bundle(
    request: Request, response: Response, caller: CallerDep, store: StoreDep, settings: SettingsDep
) -> JobStatus:
    """The body is a `.topicmap` bundle (`Content-Type: application/zip`; curl: `--data-binary
    @map.topicmap`). It is checked whole (manifest and format version, every file's digest, maps,
    corpus, embeddings) and stored all or nothing, counted in your quota: the result is a finished
    job of yours like any other, with every version and tag. A bundle made with an embedding model
    this service does not offer can be viewed and edited, not assigned to or searched."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        raise ApiError(415, "send the bundle itself as the body (Content-Type: application/zip), not a form")
    spooled = tempfile.SpooledTemporaryFile(max_size=32 * CHUNK)
    with spooled:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_upload_bytes:
                raise ApiError(413, f"the bundle is larger than the upload limit ({settings.max_upload_bytes} bytes)")
            spooled.write(chunk)
        if size == 0:
            raise ApiError(422, "the body is empty: send a .topicmap bundle")
        spooled.seek(0)
        record = await run_in_threadpool(import_into, store, settings, caller.name, spooled)
    logger.info("map imported", extra={"job_id": record.id, "owner": caller.name})
    response.headers["Location"] = f"/api/jobs/{record.id}"
    return JobStatus.from_record(record, queue_position=None, worker_alive=None, role="owner")


def import_into(store: JobStore, settings: ApiSettings, owner: str, handle: IO[bytes]) -> JobRecord:
    content = read_bundle(handle, max_bytes=settings.max_upload_bytes * INFLATE_FACTOR)
    warnings = []
    if not offered(settings.models, content.model):
        warnings.append(
            f"made with the embedding model {content.model!r}, which this service does not offer: it can be viewed "
            "and edited; assigning documents to it and searching it need that model"
        )
    content.kept = None
    return put_content(
        store, content, job_id=new_job_id(), owner=owner, quota=settings.max_stored_bytes_per_key, warnings=warnings
    )


def clean_tags(tags: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if any(len(tag) > 100 for tag in cleaned):
        raise ApiError(422, "a tag is at most 100 characters")
    return cleaned
