"""Settings every shell shares, from the environment (``TOPICMAP_*``) or ``.env``.

The API (api/config.py) and the worker (worker/config.py) each add their own fields to these.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SharedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOPICMAP_", env_file=".env", extra="ignore")

    redis_url: str = Field(default="redis://127.0.0.1:6379/0", description="Broker and store.")
    retention_days: float = Field(default=7, gt=0, description="How long corpora, jobs and maps are kept.")
    models: str = Field(
        default="",
        description="Embedding models jobs may name besides the shipped all-MiniLM-L6-v2: comma-separated "
        "name=directory entries (a job names a model, never a path).",
    )

    @property
    def retention_s(self) -> int:
        return int(self.retention_days * 24 * 3600)
