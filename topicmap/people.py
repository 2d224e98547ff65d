"""People and their API keys: who may use the service, with which role.

A user has a name and a role (``admin`` manages people and may read every job; ``member`` has their
own jobs); each user has one or more keys. A key is shown once, when it is made: only its SHA-256
is stored. Keys configured in ``TOPICMAP_API_KEYS`` are admins without a user record, so a
deployment made before users existed keeps working.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Literal

from pydantic import BaseModel, Field

from topicmap.errors import Invalid

Role = Literal["admin", "member"]
ROLES: tuple[Role, ...] = ("admin", "member")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
KEY_PREFIX = "tm_"


class User(BaseModel):
    name: str = Field(description="Lower-case letters, digits, '.', '_' or '-'; 1 to 64 characters.")
    role: Role
    created_at: float


class KeyInfo(BaseModel):
    """What is kept of a key: never the key itself."""

    id: str = Field(description="Names the key in lists and in DELETE /api/keys/{id}.")
    user: str
    created_at: float
    last_used_at: float | None = None


def checked_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise Invalid(
            f"{name[:70]!r} is not a user name: use 1 to 64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh random key (256 bits) and its hash (what is stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_key(key)


def new_key_id() -> str:
    return secrets.token_hex(8)
