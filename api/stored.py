"""Responses sent from stored gzip bytes: no decode and re-encode per request, ETag and 304.

A map, an export or a figure is stored once, gzip-compressed, and never changes. A client that
accepts gzip gets those bytes as they are (``Content-Encoding: gzip``; nginx passes them through);
any other client gets them inflated. The ETag is the digest of the stored bytes (weak, since the two
encodings are the same content), so ``If-None-Match`` answers 304 without sending anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from fastapi import Request, Response

from worker.jobstore import JobStore, gzip_bytes, inflate

GZIP_MAGIC = b"\x1f\x8b"


def etag_of(blob: bytes) -> str:
    return f'W/"{hashlib.blake2b(blob, digest_size=16).hexdigest()}"'


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` refuses it)."""
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return False
    return False


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))


def stored_response(
    request: Request, blob: bytes, media_type: str, *, headers: dict[str, str] | None = None
) -> Response:
    """``blob`` (gzip bytes) as a response negotiated on Accept-Encoding and If-None-Match."""
    etag = etag_of(blob)
    sent = {"ETag": etag, "Vary": "Accept-Encoding", "Cache-Control": "private, no-cache", **(headers or {})}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=sent)
    if blob.startswith(GZIP_MAGIC) and accepts_gzip(request.headers.get("accept-encoding", "")):
        return Response(blob, media_type=media_type, headers={**sent, "Content-Encoding": "gzip"})
    return Response(inflate(blob), media_type=media_type, headers=sent)


def cached_artifact(store: JobStore, job_id: str, name: str, build: Callable[[], bytes]) -> bytes:
    """The stored rendering ``name`` of a job's map, built and stored (gzip) on first use."""
    blob = store.get_artifact(job_id, name)
    if blob is None:
        blob = gzip_bytes(build())
        store.put_artifact(job_id, name, blob)
    return blob
