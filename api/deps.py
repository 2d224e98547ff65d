"""Dependencies shared by the routes: settings, the job store, the caller's identity.

They do no I/O, so they are ``async def``: FastAPI runs sync dependencies in its thread pool, and
three hops per request cost more than the job-status lookup itself (docs/benchmarks.md, load).
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from api.cache import ParsedCache
from api.config import ApiSettings, get_settings
from api.errors import ApiError
from api.security import owner_of, parse_keys
from topicmap.schemas import JobRecord
from topicmap.store import JobStore

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Your API key.")


@functools.cache
def store_for(url: str, retention_s: int) -> JobStore:
    return JobStore.from_url(url, retention_s=retention_s)


@functools.cache
def parsed_cache_for(max_documents: int) -> ParsedCache:
    return ParsedCache(max_documents)


def parsed_cache() -> ParsedCache:
    """The process's cache of parsed corpora and map versions (api/cache.py)."""
    return parsed_cache_for(get_settings().parsed_cache_documents)


async def settings_dependency() -> ApiSettings:
    return get_settings()


async def get_store(settings: Annotated[ApiSettings, Depends(settings_dependency)]) -> JobStore:
    return store_for(settings.redis_url, settings.retention_s)


@functools.cache
def _keys(setting: str) -> dict[str, str]:
    return parse_keys(setting)


async def get_owner(
    settings: Annotated[ApiSettings, Depends(settings_dependency)],
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> str:
    if not key:
        raise ApiError(
            401, "missing API key: send it in the X-API-Key header", headers={"WWW-Authenticate": "X-API-Key"}
        )
    owner = owner_of(key, _keys(settings.api_keys))
    if owner is None:
        raise ApiError(401, "unknown API key", headers={"WWW-Authenticate": "X-API-Key"})
    return owner


SettingsDep = Annotated[ApiSettings, Depends(settings_dependency)]
StoreDep = Annotated[JobStore, Depends(get_store)]
OwnerDep = Annotated[str, Depends(get_owner)]


def owned_job(store: JobStore, owner: str, job_id: str) -> JobRecord:
    """The job if ``owner`` created it; 404 otherwise (never revealing other keys' jobs)."""
    record = store.get(job_id) if len(job_id) <= 64 else None
    if record is None or record.owner != owner:
        raise ApiError(404, f"no job {job_id[:64]!r} for this API key")
    return record
