"""Who is asking, and what they may do: the one place that decides.

A caller is named by the key in ``X-API-Key``: a key from ``TOPICMAP_API_KEYS`` is an admin of that
name (so deployments made before users existed keep working); any other key is looked up among the
users' keys in Redis (topicmap/store/people.py). On a job, the caller is its ``owner`` (who made it,
or any admin), an ``editor`` or a ``viewer`` it was shared with (topicmap/shares.py); a link's
``X-Share-Token`` makes a viewer of that one job and nothing else. Routes declare the role they need
(``ViewerDep``, ``EditorDep``, ``OwnerOfJobDep``; ``CallerDep``, ``AdminDep`` elsewhere) and never
repeat the rule. Existence does not leak: a job you may not see is 404; one you may see but not
change is 403.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from api.config import ApiSettings
from api.deps import archive_of, get_store, settings_dependency
from api.errors import ApiError
from api.metrics import FAILED_TOKENS
from api.security import owner_of, parse_keys
from topicmap.kept import restore
from topicmap.people import Role, hash_key
from topicmap.schemas import JobRecord
from topicmap.shares import JobRole, Share, allows
from topicmap.store import JobStore

logger = logging.getLogger("topicmap.api")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Your API key.")
UNAUTHORIZED = {"WWW-Authenticate": "X-API-Key"}


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role
    source: str
    """"settings" (TOPICMAP_API_KEYS) or "users" (a user's key in Redis)."""
    key_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@functools.cache
def configured_keys(setting: str) -> dict[str, str]:
    return parse_keys(setting)


async def get_caller(
    settings: Annotated[ApiSettings, Depends(settings_dependency)],
    store: Annotated[JobStore, Depends(get_store)],
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> Caller:
    if not key:
        raise ApiError(401, "missing API key: send it in the X-API-Key header", headers=UNAUTHORIZED)
    return caller_of_key(settings, store, key)


def caller_of_key(settings: ApiSettings, store: JobStore, key: str) -> Caller:
    name = owner_of(key, configured_keys(settings.api_keys))
    if name is not None:
        return Caller(name=name, role="admin", source="settings")
    # One Redis read on loopback (sub-millisecond): cheaper here than a thread-pool hop per request.
    info = store.key_of_hash(hash_key(key)) if len(key) <= 200 else None
    user = store.get_user(info.user) if info is not None else None
    if info is None or user is None:
        raise ApiError(401, "unknown API key", headers=UNAUTHORIZED)
    return Caller(name=user.name, role=user.role, source="users", key_id=info.id)


async def get_owner(caller: Annotated[Caller, Depends(get_caller)]) -> str:
    return caller.name


async def get_admin(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if not caller.is_admin:
        raise ApiError(403, f"{caller.name} is a member; this needs an admin")
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]
OwnerDep = Annotated[str, Depends(get_owner)]
AdminDep = Annotated[Caller, Depends(get_admin)]


def may_manage_keys_of(caller: Caller, name: str) -> None:
    """An admin manages everyone's keys; a member their own."""
    if not caller.is_admin and caller.name != name:
        raise ApiError(403, f"{caller.name} may manage only their own keys")


share_token_header = APIKeyHeader(
    name="X-Share-Token", auto_error=False, description="A share link's token: reads one map, with no API key."
)


@dataclass(frozen=True)
class JobAccess:
    """A job and what the caller may do with it."""

    record: JobRecord
    role: JobRole
    caller: Caller | None
    share: Share | None = None

    @property
    def name(self) -> str:
        """Who acts, for authorship and logs: the caller, or the link."""
        if self.caller is not None:
            return self.caller.name
        return f"link {self.share.id}" if self.share is not None else "link"

    def reread(self, store: JobStore) -> JobAccess:
        """The same access with the record as it is now (after a concurrent change)."""
        record = store.get(self.record.id)
        if record is None:
            raise ApiError(404, f"no job {self.record.id!r}")
        return JobAccess(record, self.role, self.caller, self.share)


def role_on(store: JobStore, caller: Caller, record: JobRecord) -> JobRole | None:
    if caller.is_admin or record.owner == caller.name:
        return "owner"
    share = store.share_of(record.id, caller.name)
    return share.role if share is not None else None


def job_access(need: JobRole) -> Callable[..., Awaitable[JobAccess]]:
    """A dependency: the job of the path's ``job_id`` if the caller may act on it as ``need``."""

    async def dependency(
        job_id: str,
        settings: Annotated[ApiSettings, Depends(settings_dependency)],
        store: Annotated[JobStore, Depends(get_store)],
        key: Annotated[str | None, Security(api_key_header)] = None,
        token: Annotated[str | None, Security(share_token_header)] = None,
    ) -> JobAccess:
        unknown = ApiError(404, f"no job {job_id[:64]!r} for this key")
        if key:
            caller = caller_of_key(settings, store, key)
            record = await record_or_kept(store, settings, job_id)
            role = role_on(store, caller, record) if record is not None else None
            if record is None or role is None:
                raise unknown
            access = JobAccess(record, role, caller)
        elif token:
            share = store.link_of_token(hash_key(token)) if len(token) <= 200 else None
            record = (
                await record_or_kept(store, settings, job_id) if share is not None and share.job == job_id else None
            )
            if share is None or record is None:
                FAILED_TOKENS.inc()
                raise ApiError(404, "this share link is unknown, expired or revoked, or is not for this map")
            access = JobAccess(record, "viewer", None, share)
        else:
            raise ApiError(401, "missing API key: send it in the X-API-Key header", headers=UNAUTHORIZED)
        if not allows(access.role, need):
            if access.caller is None:
                raise ApiError(403, "a share link only reads the map; this needs an API key")
            raise ApiError(403, f"{access.name} is {article(access.role)} {access.role} of this map; this needs {need}")
        return access

    return dependency


async def record_or_kept(store: JobStore, settings: ApiSettings, job_id: str) -> JobRecord | None:
    """The job's record; for a kept map whose working copy has expired, the copy restored from the
    archive first (seconds for a big map: in the thread pool)."""
    if len(job_id) > 64:
        return None
    record = store.get(job_id)
    if record is None and store.get_kept(job_id) is not None:
        record = await run_in_threadpool(restore, store, archive_of(settings), job_id)
        if record is not None:
            logger.info("kept map restored from the archive", extra={"job_id": job_id})
    return record


def article(role: str) -> str:
    return "an" if role[0] in "aeiou" else "a"


ViewerDep = Annotated[JobAccess, Depends(job_access("viewer"))]
EditorDep = Annotated[JobAccess, Depends(job_access("editor"))]
OwnerOfJobDep = Annotated[JobAccess, Depends(job_access("owner"))]
