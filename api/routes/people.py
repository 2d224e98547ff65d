"""People and their keys: admins add and remove users; everyone manages their own keys."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from api.access import AdminDep, CallerDep, configured_keys, may_manage_keys_of
from api.deps import SettingsDep, StoreDep
from api.errors import ApiError
from topicmap.people import KeyInfo, Role, User, checked_name, new_key

router = APIRouter(tags=["people"])
logger = logging.getLogger("topicmap.api")
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No API key, or an unknown one"},
    403: {"description": "Only admins (or the key's own user) may do this"},
}


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "ana", "role": "member"}]})

    name: str = Field(min_length=1, max_length=64, description="Lower-case letters, digits, '.', '_' or '-'.")
    role: Role = "member"


class NewKey(BaseModel):
    """A key as made: ``key`` is shown this once and never stored."""

    key: str
    info: KeyInfo


class UserCreated(BaseModel):
    user: User
    key: NewKey


class Me(BaseModel):
    name: str
    role: Role
    source: str = Field(description='"settings" for a key of TOPICMAP_API_KEYS, "users" for a user\'s key.')
    key_id: str | None = None


@router.get("/me", summary="Who this key belongs to", responses=RESPONSES)
def me(caller: CallerDep) -> Me:
    return Me(name=caller.name, role=caller.role, source=caller.source, key_id=caller.key_id)


@router.post("/users", status_code=201, summary="Add a user, with a first key (admins)", responses=RESPONSES)
def add_user(
    body: UserCreate, response: Response, caller: AdminDep, store: StoreDep, settings: SettingsDep
) -> UserCreated:
    """The key in the answer is shown once: give it to the person; only its hash is kept."""
    name = checked_name(body.name)
    if name in configured_keys(settings.api_keys).values():
        raise ApiError(409, f"{name!r} is a key name in TOPICMAP_API_KEYS; choose another user name")
    user = store.add_user(name, body.role)
    key, digest = new_key()
    info = store.add_key(name, digest)
    logger.info("user added", extra={"owner": caller.name, "user": name, "role": body.role})
    response.headers["Location"] = f"/api/users/{name}"
    return UserCreated(user=user, key=NewKey(key=key, info=info))


@router.get("/users", summary="Every user (admins)", responses=RESPONSES)
def list_users(_: AdminDep, store: StoreDep) -> list[User]:
    return store.list_users()


@router.delete("/users/{name}", summary="Remove a user and their keys (admins)", responses=RESPONSES)
def delete_user(name: str, caller: AdminDep, store: StoreDep) -> User:
    """Their keys stop working at once. Their jobs stay, under their name, until they expire."""
    user = store.delete_user(name[:64])
    logger.info("user removed", extra={"owner": caller.name, "user": user.name})
    return user


@router.post("/users/{name}/keys", status_code=201, summary="Another key for a user", responses=RESPONSES)
def add_key(name: str, caller: CallerDep, store: StoreDep) -> NewKey:
    """Admins, or the user themself (e.g. to rotate: add a key, then revoke the old one)."""
    may_manage_keys_of(caller, name)
    key, digest = new_key()
    info = store.add_key(name[:64], digest)
    logger.info("key added", extra={"owner": caller.name, "user": name, "key_id": info.id})
    return NewKey(key=key, info=info)


@router.get("/users/{name}/keys", summary="A user's keys (never the keys themselves)", responses=RESPONSES)
def list_keys(name: str, caller: CallerDep, store: StoreDep) -> list[KeyInfo]:
    may_manage_keys_of(caller, name)
    if store.get_user(name[:64]) is None:
        raise ApiError(404, f"no user {name[:64]!r}")
    return store.list_keys(name[:64])


@router.delete("/keys/{key_id}", summary="Revoke a key", responses=RESPONSES)
def revoke_key(key_id: str, caller: CallerDep, store: StoreDep) -> KeyInfo:
    """It stops working at once. Admins revoke any key, members their own."""
    info = store.get_key(key_id[:32])
    if info is None or (not caller.is_admin and info.user != caller.name):
        raise ApiError(404, f"no key {key_id[:32]!r} of yours")
    store.revoke_key(info.id)
    logger.info("key revoked", extra={"owner": caller.name, "user": info.user, "key_id": info.id})
    return info
