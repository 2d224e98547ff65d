"""Sharing a map: with a person (viewer or editor) or by a link that opens it read-only, no key needed."""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Response, Security
from pydantic import BaseModel, ConfigDict, Field

from api.access import OwnerOfJobDep, share_token_header
from api.deps import StoreDep
from api.errors import ApiError
from api.metrics import FAILED_TOKENS
from topicmap.people import hash_key
from topicmap.shares import Share, ShareRole, new_token

router = APIRouter(prefix="/jobs/{job_id}", tags=["sharing"])
link_router = APIRouter(tags=["sharing"])
logger = logging.getLogger("topicmap.api")
MAX_LINK_LIFETIME_S = 366 * 24 * 3600
RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only the map's owner (or an admin) shares it"},
    404: {"description": "No such job for this key, or no such share"},
}


class ShareCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"user": "ben", "role": "viewer"}, {"role": "viewer", "expires_in_s": 604800}]},
    )

    user: str | None = Field(default=None, max_length=64, description="Share with this person; leave out for a link.")
    role: ShareRole = Field(default="viewer", description="viewer reads; editor also edits (people only).")
    expires_in_s: int | None = Field(
        default=None, ge=60, le=MAX_LINK_LIFETIME_S, description="A link's lifetime; default: until revoked."
    )


class LinkCreated(BaseModel):
    """A link as made: ``token`` and ``url`` are shown this once (only the token's hash is kept)."""

    share: Share
    token: str
    url: str


@router.post("/shares", status_code=201, summary="Share the map with a person, or make a link", responses=RESPONSES)
def create_share(body: ShareCreate, response: Response, access: OwnerOfJobDep, store: StoreDep) -> Share | LinkCreated:
    """`{user, role}` shares with a person (sharing again changes the role); `{role: "viewer",
    expires_in_s?}` makes a link whose `url` opens the map read-only in a browser with no API key
    (callers send its token as `X-Share-Token`)."""
    record = access.record
    if body.user is None:
        if body.role != "viewer":
            raise ApiError(422, "a link can only be for a viewer; share with a person to let them edit")
        token, digest = new_token()
        expires = time.time() + body.expires_in_s if body.expires_in_s else None
        link = store.add_link(record.id, digest, access.name, expires)
        logger.info("link made", extra={"job_id": record.id, "owner": access.name, "share": link.id})
        response.headers["Location"] = f"/api/jobs/{record.id}/shares"
        return LinkCreated(share=link, token=token, url=f"/s/{token}")
    if body.expires_in_s is not None:
        raise ApiError(422, "expires_in_s is for links; a person's share lasts until it is revoked")
    if store.get_user(body.user) is None:
        raise ApiError(422, f"no user {body.user!r}: an admin adds people with POST /api/users")
    if body.user == record.owner:
        raise ApiError(422, f"{body.user} owns this map already")
    share = store.share_with(record.id, body.user, body.role, access.name)
    logger.info("map shared", extra={"job_id": record.id, "owner": access.name, "user": body.user, "role": body.role})
    response.headers["Location"] = f"/api/jobs/{record.id}/shares"
    return share


@router.get("/shares", summary="Who the map is shared with", responses=RESPONSES)
def list_shares(access: OwnerOfJobDep, store: StoreDep) -> list[Share]:
    """People (user, role) and links (no user), with when they were made, expire and were last used."""
    return store.list_shares(access.record.id)


@router.delete("/shares/{share_id}", summary="Revoke a share or a link", responses=RESPONSES)
def revoke_share(share_id: str, access: OwnerOfJobDep, store: StoreDep) -> Share:
    """At once: the person loses the map, the link answers 404."""
    share = store.revoke_share(access.record.id, share_id[:32])
    logger.info("share revoked", extra={"job_id": access.record.id, "owner": access.name, "share": share.id})
    return share


class LinkTarget(BaseModel):
    """What a share link opens."""

    job_id: str
    owner: str
    role: str = "viewer"
    expires_at: float | None


@link_router.get("/link", summary="The map a share link opens (with X-Share-Token)", responses=RESPONSES)
def link_target(store: StoreDep, token: Annotated[str | None, Security(share_token_header)] = None) -> LinkTarget:
    """How the page at `/s/{token}` finds its map: the job, its owner; 404 once revoked or expired."""
    share = store.link_of_token(hash_key(token)) if token and len(token) <= 200 else None
    record = store.get(share.job) if share is not None else None
    if share is None or record is None:
        if token:
            FAILED_TOKENS.inc()
        raise ApiError(404 if token else 401, "this share link is unknown, expired or revoked")
    return LinkTarget(job_id=record.id, owner=record.owner, expires_at=share.expires_at)
