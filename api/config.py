"""API settings, from the environment (``TOPICMAP_*``) or ``.env``; shown in /api/docs."""

from __future__ import annotations

import functools

from pydantic import Field

from topicmap.settings import SharedSettings


class ApiSettings(SharedSettings):
    """The shared settings (topicmap/settings.py) and the API's own."""

    api_keys: str = Field(
        default="",
        description="Comma-separated `name:sha256hex` entries: the SHA-256 of each key, never the key itself.",
    )
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    max_documents: int = Field(
        default=200_000, ge=10, description="Most documents per job: reading an upload stops at the next one (413)."
    )
    max_columns: int = Field(
        default=100, ge=2, description="Most columns (CSV) or fields (JSON objects) per document (413 beyond)."
    )
    max_chars_per_document: int = Field(
        default=10_000, ge=100, description="Longer documents are truncated (and counted in the job)."
    )
    max_active_jobs_per_key: int = Field(default=5, ge=1, description="Queued plus running jobs per key (429 beyond).")
    max_stored_bytes_per_key: int = Field(
        default=2 * 1024**3,
        ge=1024,
        description="Bytes a key's kept jobs may hold in Redis (compressed corpora, embeddings, maps); "
        "a submission beyond it is refused (429, or 413 when the corpus alone is larger).",
    )
    worker_timeout_s: float = Field(default=30, description="A worker silent this long counts as gone.")
    parsed_cache_mb: int = Field(
        default=1024,
        ge=0,
        description="Megabytes of parsed corpora, maps and embeddings an API process keeps for reading "
        "documents (hover, selection, topic pages, search); 0 keeps none.",
    )
    query_timeout_s: float = Field(
        default=5, gt=0, description="How long a search waits for the query worker to embed its query."
    )
    sse_ping_s: float = Field(default=15, gt=0, description="Keep-alive comment interval on the events stream.")

    def limits(self) -> dict[str, int]:
        return {
            "max_upload_bytes": self.max_upload_bytes,
            "max_documents": self.max_documents,
            "max_columns": self.max_columns,
            "max_chars_per_document": self.max_chars_per_document,
            "max_active_jobs_per_key": self.max_active_jobs_per_key,
            "max_stored_bytes_per_key": self.max_stored_bytes_per_key,
        }


@functools.cache
def get_settings() -> ApiSettings:
    return ApiSettings()
