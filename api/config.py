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
    webhook_secret: str = Field(
        default="",
        description="Master secret for webhook signatures (each key's secret is derived from it); "
        "empty disables webhooks (callback_url is refused).",
    )
    webhook_allow_private: bool = Field(
        default=False, description="Allow callbacks to loopback, private and link-local addresses (SSRF risk)."
    )
    webhook_allowed_hosts: str = Field(
        default="", description="Comma-separated host or host:port callbacks may reach even when private."
    )
    webhook_timeout_s: float = Field(default=5, gt=0, le=60, description="Seconds one webhook attempt may take.")
    webhook_backoff_s: float = Field(default=10, gt=0, description="Delay before the 2nd attempt; doubles after.")
    webhook_max_attempts: int = Field(default=8, ge=1, le=50, description="Attempts before a webhook is failed.")
    webhook_retry_s: float = Field(
        default=3600, gt=0, description="No attempt is made later than this after the job finished."
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
