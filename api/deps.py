"""Dependencies shared by the routes: settings, the job store, the parsed-corpus cache (who is
asking: api/access.py).

They do no I/O, so they are ``async def``: FastAPI runs sync dependencies in its thread pool, and
three hops per request cost more than the job-status lookup itself (docs/benchmarks.md, load).
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import Depends

from api.cache import ParsedCache
from api.config import ApiSettings, get_settings
from topicmap.archive import MapArchive, open_archive
from topicmap.store import JobStore


@functools.cache
def store_for(url: str, retention_s: int) -> JobStore:
    return JobStore.from_url(url, retention_s=retention_s)


@functools.cache
def parsed_cache_for(max_bytes: int) -> ParsedCache:
    return ParsedCache(max_bytes)


def parsed_cache() -> ParsedCache:
    """The process's cache of parsed corpora and map versions (api/cache.py)."""
    return parsed_cache_for(get_settings().parsed_cache_mb * 1024 * 1024)


async def settings_dependency() -> ApiSettings:
    return get_settings()


async def get_store(settings: Annotated[ApiSettings, Depends(settings_dependency)]) -> JobStore:
    return store_for(settings.redis_url, settings.retention_s)


SettingsDep = Annotated[ApiSettings, Depends(settings_dependency)]
StoreDep = Annotated[JobStore, Depends(get_store)]


@functools.cache
def archive_for(directory: str, bucket: str, prefix: str, endpoint: str, region: str) -> MapArchive:
    return open_archive(directory, s3_bucket=bucket, s3_prefix=prefix, s3_endpoint=endpoint, s3_region=region)


def archive_of(settings: ApiSettings) -> MapArchive:
    """The map archive (topicmap/archive.py): where kept maps live."""
    return archive_for(
        settings.archive_dir,
        settings.archive_s3_bucket,
        settings.archive_s3_prefix,
        settings.archive_s3_endpoint,
        settings.archive_s3_region,
    )


async def get_archive(settings: Annotated[ApiSettings, Depends(settings_dependency)]) -> MapArchive:
    return archive_of(settings)


ArchiveDep = Annotated[MapArchive, Depends(get_archive)]
