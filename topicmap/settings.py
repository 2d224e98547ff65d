"""Settings every shell shares, from the environment (``TOPICMAP_*``) or ``.env``.

The API (api/config.py) and the worker (worker/config.py) each add their own fields to these.
``TOPICMAP_ENV_FILE`` names another file than ``.env`` (in the working directory); empty: none, as
the test suite's servers have, so the key and webhook secret ``make run`` wrote there stay out.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from topicmap.archive import MapArchive


class SharedSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOPICMAP_", env_file=os.environ.get("TOPICMAP_ENV_FILE", ".env") or None, extra="ignore"
    )

    redis_url: str = Field(default="redis://127.0.0.1:6379/0", description="Broker and store.")
    retention_days: float = Field(default=7, gt=0, description="How long corpora, jobs and maps are kept.")
    models: str = Field(
        default="",
        description="Embedding models jobs may name besides the shipped all-MiniLM-L6-v2: comma-separated "
        "name=directory entries (a job names a model, never a path).",
    )
    archive_dir: str = Field(
        default="data/archive",
        description="The map archive (kept maps, as bundles): a directory, unless a bucket is set.",
    )
    archive_s3_bucket: str = Field(
        default="", description="Keep maps in this S3-compatible bucket instead (credentials: the AWS_* variables)."
    )
    archive_s3_prefix: str = Field(default="maps/", description="Key prefix of kept maps in the bucket.")
    archive_s3_endpoint: str = Field(default="", description="Endpoint of a non-AWS S3 service (MinIO, Ceph…).")
    archive_s3_region: str = Field(default="", description="The bucket's region, where the service needs one.")

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

    @property
    def webhook_hosts(self) -> set[str]:
        """Hosts (or host:port) callbacks may reach even when private."""
        return {h.strip() for h in self.webhook_allowed_hosts.split(",") if h.strip()}

    def archive(self) -> MapArchive:
        """The map archive these settings name (topicmap/archive.py)."""
        from topicmap.archive import open_archive

        return open_archive(
            self.archive_dir,
            s3_bucket=self.archive_s3_bucket,
            s3_prefix=self.archive_s3_prefix,
            s3_endpoint=self.archive_s3_endpoint,
            s3_region=self.archive_s3_region,
        )

    @property
    def retention_s(self) -> int:
        return int(self.retention_days * 24 * 3600)
