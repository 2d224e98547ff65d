"""Turn a request (JSON documents or an uploaded file) into a corpus within the configured limits:
sizes, the key's storage quota, and a callback URL that may be called."""

from __future__ import annotations

import json
import time
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from api.callbacks import CallbackRefused, check_callback_url
from api.config import ApiSettings
from api.errors import ApiError
from api.schemas import DocumentIn, JobCreate
from topicmap.corpus import Corpus, CorpusError, corpus_from_documents, parse_corpus
from topicmap.schemas import MIN_DOCUMENTS, Callback, PipelineParams
from topicmap.store import Usage


def from_json(body: JobCreate, settings: ApiSettings, min_documents: int = MIN_DOCUMENTS) -> tuple[Corpus, int]:
    if len(body.documents) > settings.max_documents:
        raise ApiError(413, f"too many documents: {len(body.documents)}, at most {settings.max_documents} per job")
    documents: list[str | dict[str, Any]] = [d if isinstance(d, str) else _plain(d) for d in body.documents]
    return _limit(_corpus(lambda: corpus_from_documents(documents, min_documents=min_documents)), settings)


def from_upload(
    data: bytes, filename: str, text_column: str | None, settings: ApiSettings, min_documents: int = MIN_DOCUMENTS
) -> tuple[Corpus, int]:
    suffix = PurePath(filename or "upload.txt").suffix or ".txt"
    corpus = _corpus(
        lambda: parse_corpus(
            data,
            suffix=suffix,
            text_column=text_column or None,
            name=PurePath(filename).name or "upload",
            min_documents=min_documents,
        )
    )
    if len(corpus) > settings.max_documents:
        raise ApiError(413, f"too many documents: {len(corpus)}, at most {settings.max_documents} per job")
    return _limit(corpus, settings)


def parse_params(raw: str | None) -> PipelineParams:
    """Parameters sent as a JSON form field with an upload."""
    if not raw:
        return PipelineParams()
    try:
        return PipelineParams.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise ApiError(422, f"params: not valid JSON ({exc.msg})") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ApiError(422, f"params.{'.'.join(str(p) for p in error['loc'])}: {error['msg']}") from None


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
    allowed = {h.strip() for h in settings.webhook_allowed_hosts.split(",") if h.strip()}
    try:
        check_callback_url(url, allow_private=settings.webhook_allow_private, allowed_hosts=allowed)
    except CallbackRefused as exc:
        raise ApiError(422, str(exc)) from None
    return Callback(url=url)


def check_quota(settings: ApiSettings, usage: Usage, corpus_bytes: int) -> None:
    """Refuse a corpus that would take the key over its storage quota (413 when it never could fit)."""
    quota = settings.max_stored_bytes_per_key
    if corpus_bytes > quota:
        raise ApiError(
            413, f"this corpus takes {mib(corpus_bytes)} compressed, over this key's storage quota of {mib(quota)}"
        )
    if usage.stored_bytes + corpus_bytes > quota:
        expires_in = (usage.oldest_created_at or time.time()) + settings.retention_s - time.time()
        raise ApiError(
            429,
            f"this key's jobs keep {mib(usage.stored_bytes)} of its {mib(quota)} storage quota and this corpus "
            f"needs {mib(corpus_bytes)} more; delete finished jobs (DELETE /api/jobs/{{id}}?purge=true) or wait "
            f"for them to expire (after {settings.retention_days:g} days, the oldest in "
            f"{max(expires_in, 0) / 3600:.1f} h)",
            headers={"Retry-After": str(max(int(expires_in), 1))},
        )


def mib(n: int) -> str:
    return f"{n / 1024**2:.1f} MiB"
