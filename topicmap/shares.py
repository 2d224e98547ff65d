"""Sharing a map: with a person (viewer or editor) or by a link (a viewer who needs no key).

A link's token is shown once, when it is made: it carries 256 random bits, and only its SHA-256 is
stored, so a copy of Redis opens no map. What each role may do is decided in one place, the API's
access dependency (api/access.py).
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import BaseModel, Field

from topicmap.people import hash_key

ShareRole = Literal["viewer", "editor"]
JobRole = Literal["viewer", "editor", "owner"]
RANK: dict[str, int] = {"viewer": 0, "editor": 1, "owner": 2}
TOKEN_PREFIX = "tms_"


class Share(BaseModel):
    id: str
    job: str
    user: str | None = Field(default=None, description="The person shared with; null for a link.")
    role: ShareRole
    created_at: float
    created_by: str
    expires_at: float | None = Field(default=None, description="A link's end (Unix seconds); null: until revoked.")
    last_used_at: float | None = None

    @property
    def is_link(self) -> bool:
        return self.user is None


def new_token() -> tuple[str, str]:
    """A link's token (256 bits) and its hash, which is what is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_key(token)


def new_share_id() -> str:
    return secrets.token_hex(6)


def allows(role: JobRole, need: JobRole) -> bool:
    return RANK[role] >= RANK[need]
