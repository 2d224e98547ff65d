"""A new job from a request: JSON documents or an uploaded file turned into a corpus within the
configured limits (sizes, the key's storage quota, a callback URL that may be called), stored once,
recorded and queued by name (``submit``: shared by new maps, reruns and assignments)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from functools import partial
from pathlib import PurePath
from typing import Any, BinaryIO

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api.config import ApiSettings
from api.errors import ApiError, describe_errors
from api.queue import enqueue
from api.schemas import DocumentIn, JobAccepted, JobCreate
from topicmap.callbacks import CallbackRefused, check_callback_url
from topicmap.corpus import Caps, Corpus, CorpusError, corpus_from_documents, parse_corpus
from topicmap.errors import OverQuota
from topicmap.models import offered, parse_models
from topicmap.readers import ReadError, json_items
from topicmap.schemas import (
    DEFAULT_MODEL,
    MAX_JOB_NAME,
    MIN_DOCUMENTS,
    AssignmentSource,
    Callback,
    DocumentCounts,
    JobError,
    JobRecord,
    PipelineParams,
)
from topicmap.store import PREFIX, JobStore
from topicmap.views import UnknownColumn, check_columns

logger = logging.getLogger("topicmap.api")


def check_document_count(body: bytes, settings: ApiSettings) -> None:
    """A JSON body's documents, counted as a stream before the body is parsed whole: past the cap it
    is a 413 at once, whatever the body holds after (a malformed body is left to the parser)."""
    cap = settings.max_documents
    if len(body) < 2 * (cap + 1):  # every item takes 2 bytes or more: this body cannot hold more
        return
    try:
        for count, _ in enumerate(json_items(body.decode("utf-8", errors="replace")), 1):
            if count > cap:
                raise ApiError(413, f"too many documents: more than {cap}, at most {cap} per job")
    except ReadError:
        return


def from_json(body: JobCreate, settings: ApiSettings, min_documents: int = MIN_DOCUMENTS) -> tuple[Corpus, int]:
    if len(body.documents) > settings.max_documents:
        raise ApiError(413, f"too many documents: {len(body.documents)}, at most {settings.max_documents} per job")
    documents: list[str | dict[str, Any]] = [d if isinstance(d, str) else _plain(d) for d in body.documents]
    return _limit(_corpus(lambda: corpus_from_documents(documents, min_documents=min_documents)), settings)


def from_upload(
    data: bytes | BinaryIO,
    filename: str,
    text_column: str | None,
    settings: ApiSettings,
    min_documents: int = MIN_DOCUMENTS,
    *,
    header: bool = True,
    encoding: str | None = None,
) -> tuple[Corpus, int]:
    """An uploaded file, read as a stream: the first document (or column) past the caps ends the
    read with a 413 (topicmap/corpus.py: TooManyDocuments), whatever the rest of the file holds.
    ``header=False``: a .csv/.tsv file's first line is a document, not its columns' names; ``encoding``:
    the file's, when it is not UTF-8."""
    suffix = PurePath(filename or "upload.txt").suffix or ".txt"
    caps = Caps(documents=settings.max_documents, columns=settings.max_columns)
    corpus = _corpus(
        lambda: parse_corpus(
            data,
            suffix=suffix,
            text_column=text_column or None,
            name=PurePath(filename).name or "upload",
            min_documents=min_documents,
            caps=caps,
            header=header,
            encoding=encoding,
        )
    )
    return _limit(corpus, settings)


def header_field(raw: object) -> bool:
    """The multipart field ``header``: "false" when the file's first line is a document, not the
    names of its columns; absent or "true" (the default) when it names them."""
    given = raw.strip().lower() if isinstance(raw, str) else raw
    if given in (None, "", "true"):
        return True
    if given == "false":
        return False
    raise ApiError(
        422, "header: 'true' (the file's first line names its columns: the default) or 'false' (it is a document)"
    )


def parse_params(raw: str | None) -> PipelineParams:
    """Parameters sent as a JSON form field with an upload."""
    if not raw:
        return PipelineParams()
    try:
        return PipelineParams.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise ApiError(422, f"params: not valid JSON ({exc.msg})") from None
    except ValidationError as exc:
        errors = [{**error, "loc": ("params", *error["loc"])} for error in exc.errors()]
        raise ApiError(422, describe_errors(errors)) from None


def _plain(document: DocumentIn) -> dict[str, Any]:
    return {"text": document.text, "id": document.id, "meta": document.meta}


def _corpus(build: Any) -> Corpus:
    try:
        corpus: Corpus = build()
    except CorpusError as exc:
        raise ApiError(422, str(exc)) from None
    return corpus


def _limit(corpus: Corpus, settings: ApiSettings) -> tuple[Corpus, int]:
    """Truncate documents over the character limit; returns the corpus and how many were cut."""
    limit = settings.max_chars_per_document
    truncated = sum(1 for text in corpus.texts if len(text) > limit)
    if truncated:
        corpus.texts = [text[:limit] for text in corpus.texts]
    return corpus, truncated


def checked_callback(settings: ApiSettings, url: str) -> Callback:
    """The webhook of a new job, once its URL passed the SSRF checks (422 with the reason otherwise)."""
    if not settings.webhook_secret:
        raise ApiError(422, "callback_url: webhooks are not enabled on this server (TOPICMAP_WEBHOOK_SECRET)")
    try:
        check_callback_url(url, allow_private=settings.webhook_allow_private, allowed_hosts=settings.webhook_hosts)
    except CallbackRefused as exc:
        raise ApiError(422, str(exc)) from None
    return Callback(url=url)


def job_name(given: str | None, filename: str | None = None) -> str | None:
    """The map's name: the one given (spaces trimmed; 422 over the limit), else an uploaded file's
    name (its last part, cut to the limit), else none."""
    name = " ".join((given or "").split())
    if len(name) > MAX_JOB_NAME:
        raise ApiError(422, f"name: at most {MAX_JOB_NAME} characters")
    if not name and filename:
        name = " ".join(PurePath(filename.replace("\\", "/")).name.split())[:MAX_JOB_NAME]
    return name or None


NAME_CHARS = 40


def first_text_name(texts: list[str]) -> str | None:
    """The name of a map of JSON documents sent without one: its first text, cut at a word to about
    40 characters, and how many others ("“the app crashes on login” and 11 more"), as a file names
    an upload's map. The page's pasted texts arrive so."""
    if not texts:
        return None
    first = " ".join(texts[0].split())
    if len(first) > NAME_CHARS:
        first = first[:NAME_CHARS].rsplit(" ", 1)[0] + "…"
    rest = len(texts) - 1
    return f"“{first}” and {rest:,} more" if rest else f"“{first}”"


async def read_documents(
    request: Request, settings: ApiSettings, min_documents: int = MIN_DOCUMENTS
) -> tuple[Corpus, int, PipelineParams, str | None, str | None]:
    """The documents of a request (JSON or a multipart file upload), its parameters, callback URL
    and the map's name (the one given, else the file's, else the first text's)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json":
        raw = await request.body()
        await run_in_threadpool(check_document_count, raw, settings)
        try:
            body = JobCreate.model_validate_json(raw)
        except ValidationError as exc:
            raise ApiError(422, describe_errors(exc.errors()) or "invalid body") from None
        corpus, truncated = await run_in_threadpool(from_json, body, settings, min_documents)
        params, callback_url = body.params, body.callback_url
        name = job_name(body.name) or first_text_name(corpus.texts)
    elif media_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "multipart upload needs a file in the field 'file'")
        data = upload.file  # streamed by the parser (Starlette spools big uploads to disk)
        text_column = form.get("text_column")
        raw_params = form.get("params")
        raw_callback = form.get("callback_url")
        callback_url = raw_callback if isinstance(raw_callback, str) and raw_callback else None
        header = header_field(form.get("header"))
        raw_encoding = form.get("encoding")
        encoding = (raw_encoding.strip() or None) if isinstance(raw_encoding, str) else None
        corpus, truncated = await run_in_threadpool(
            partial(from_upload, header=header, encoding=encoding),
            data,
            upload.filename or "upload.txt",
            text_column if isinstance(text_column, str) else None,
            settings,
            min_documents,
        )
        params = parse_params(raw_params if isinstance(raw_params, str) else None)
        raw_name = form.get("name")
        name = job_name(raw_name if isinstance(raw_name, str) else None, upload.filename)
    else:
        raise ApiError(415, "send the corpus as application/json or as a multipart/form-data file upload")
    return corpus, truncated, params, callback_url, name


def submit(
    store: JobStore,
    settings: ApiSettings,
    owner: str,
    corpus: Corpus,
    truncated: int,
    params: PipelineParams,
    idempotency_key: str | None,
    callback: Callback | None = None,
    assigns_to: AssignmentSource | None = None,
    name: str | None = None,
) -> JobAccepted:
    """Store the corpus and queue the job: a map, or (``assigns_to``) an assignment to a map."""
    if assigns_to is None and not offered(settings.models, params.model):
        names = ", ".join([DEFAULT_MODEL, *parse_models(settings.models)])
        raise ApiError(422, f"params.model: {params.model[:80]!r} is not a model of this service; use one of: {names}")
    try:
        if assigns_to is None:
            check_columns(params, corpus.metadata)
    except UnknownColumn as exc:
        raise ApiError(422, str(exc)) from None
    sha = store.corpus_hash(corpus.texts, corpus.ids)
    callback_url = callback.url if callback is not None else ""  # another webhook is another request
    request = sha + params.model_dump_json() + callback_url + (f"\n{name}" if name else "")
    request_hash = hashlib.sha256(request.encode()).hexdigest()
    job_id = uuid.uuid4().hex
    if idempotency_key:
        earlier = store.remember_idempotency_key(owner, idempotency_key, job_id, request_hash)
        if earlier is not None:
            earlier_job, earlier_hash = earlier
            if earlier_hash != request_hash:
                raise ApiError(422, "this Idempotency-Key was already used with a different request")
            record = store.get(earlier_job)
            if record is None:
                raise ApiError(409, "a request with this Idempotency-Key is still being processed; retry shortly")
            return JobAccepted(
                job_id=record.id, state=record.state, location=f"/api/jobs/{record.id}", documents=record.documents
            )
    try:
        return queue_job(store, settings, owner, corpus, truncated, params, job_id, callback, assigns_to, name)
    except (ApiError, OverQuota):
        if idempotency_key:  # refused (429, 413, 503): the key was not used; a retry may use it
            store.forget_idempotency_key(owner, idempotency_key, job_id)
        raise


def queue_job(
    store: JobStore,
    settings: ApiSettings,
    owner: str,
    corpus: Corpus,
    truncated: int,
    params: PipelineParams,
    job_id: str,
    callback: Callback | None,
    assigns_to: AssignmentSource | None,
    name: str | None = None,
) -> JobAccepted:
    """Within the key's limits, store the corpus, record the job and queue it by name."""
    usage = store.owner_usage(owner)
    if usage.active >= settings.max_active_jobs_per_key:
        raise ApiError(
            429,
            f"this key already has {settings.max_active_jobs_per_key} queued or running jobs; wait for one to finish",
            headers={"Retry-After": "30"},
        )
    sha, blob = store.compress_corpus(corpus.texts, corpus.ids, corpus.metadata)
    counts = DocumentCounts(
        received=corpus.n_received,
        dropped=corpus.n_dropped,
        truncated=truncated,
        used=len(corpus),
        text_column=corpus.text_column,
    )
    record = JobRecord(
        id=job_id, owner=owner, name=name, created_at=time.time(), params=params, corpus=sha, documents=counts,
        stored_bytes=len(blob), callback=callback, kind="map" if assigns_to is None else "assignment",
        assigns_to=assigns_to,
    )  # fmt: skip
    # Counted before anything is written, in one atomic step with the check (OverQuota: 413/429).
    charged = {f"{PREFIX}corpus:{sha}": len(blob), f"{PREFIX}job:{job_id}": len(record.model_dump_json())}
    store.charge(owner, charged, quota=settings.max_stored_bytes_per_key)
    store.put_corpus_blob(sha, blob)
    store.create(record)
    try:
        enqueue(job_id)
    except Exception as exc:
        store.update(
            job_id,
            state="failed",
            finished_at=time.time(),
            error=JobError(code="queue_unavailable", detail="the job queue is unavailable"),
        )
        raise ApiError(503, "the job queue is unavailable; try again shortly", headers={"Retry-After": "5"}) from exc
    logger.info("job queued", extra={"job_id": job_id, "owner": owner, "documents": len(corpus)})
    return JobAccepted(job_id=job_id, state="queued", location=f"/api/jobs/{job_id}", documents=counts)
