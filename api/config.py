"""API settings, from the environment (``TOPICMAP_*``) or ``.env``; shown in /api/docs."""

from __future__ import annotations

import functools

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOPICMAP_", env_file=".env", extra="ignore")

    redis_url: str = Field(default="redis://127.0.0.1:6379/0")
    api_keys: str = Field(
        default="",
        description="Comma-separated `name:sha256hex` entries: the SHA-256 of each key, never the key itself.",
    )
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    max_documents: int = Field(default=200_000, ge=10, description="Most documents per job.")
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
    retention_days: float = Field(default=7, gt=0, description="How long corpora, jobs and maps are kept.")
    worker_timeout_s: float = Field(default=30, description="A worker silent this long counts as gone.")
    sse_ping_s: float = Field(default=15, gt=0, description="Keep-alive comment interval on the events stream.")

    @property
    def retention_s(self) -> int:
        return int(self.retention_days * 24 * 3600)

    def limits(self) -> dict[str, int]:
        return {
            "max_upload_bytes": self.max_upload_bytes,
            "max_documents": self.max_documents,
            "max_chars_per_document": self.max_chars_per_document,
            "max_active_jobs_per_key": self.max_active_jobs_per_key,
            "max_stored_bytes_per_key": self.max_stored_bytes_per_key,
        }


@functools.cache
def get_settings() -> ApiSettings:
    return ApiSettings()
