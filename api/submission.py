"""Turn a request (JSON documents or an uploaded file) into a corpus within the configured limits."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from api.config import ApiSettings
from api.errors import ApiError
from api.schemas import DocumentIn, JobCreate
from worker.contracts import PipelineParams
from worker.corpus import Corpus, CorpusError, corpus_from_documents, parse_corpus


def from_json(body: JobCreate, settings: ApiSettings) -> tuple[Corpus, int]:
    if len(body.documents) > settings.max_documents:
        raise ApiError(413, f"too many documents: {len(body.documents)}, at most {settings.max_documents} per job")
    documents: list[str | dict[str, Any]] = [d if isinstance(d, str) else _plain(d) for d in body.documents]
    return _limit(_corpus(lambda: corpus_from_documents(documents)), settings)


def from_upload(data: bytes, filename: str, text_column: str | None, settings: ApiSettings) -> tuple[Corpus, int]:
    suffix = PurePath(filename or "upload.txt").suffix or ".txt"
    corpus = _corpus(
        lambda: parse_corpus(
            data, suffix=suffix, text_column=text_column or None, name=PurePath(filename).name or "upload"
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
