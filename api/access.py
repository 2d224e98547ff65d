"""Who is asking, and what they may do: the one place that decides.

A caller is named by the key in ``X-API-Key``: a key from ``TOPICMAP_API_KEYS`` is an admin of that
name (so deployments made before users existed keep working); any other key is looked up among the
users' keys in Redis (topicmap/store/people.py). Routes declare what they need (``CallerDep``,
``AdminDep``, ``OwnerDep`` for the caller's name) and never repeat the rule.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from api.config import ApiSettings
from api.deps import get_store, settings_dependency
from api.errors import ApiError
from api.security import owner_of, parse_keys
from topicmap.people import Role, hash_key
from topicmap.store import JobStore

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
