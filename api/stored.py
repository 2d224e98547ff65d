"""Responses sent from stored gzip bytes: no decode and re-encode per request, ETag and 304.

A map, an export or a figure is stored once, gzip-compressed, and never changes. A client that
accepts gzip gets those bytes as they are (``Content-Encoding: gzip``; nginx passes them through);
any other client gets them inflated as they are sent (streamed, never inflated whole). The ETag
is the digest of the stored bytes (weak, since the two encodings are the same content), so
``If-None-Match`` answers 304 without sending anything.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from topicmap.store import JobStore, gzip_written

INFLATE_CHUNK = 1 << 20

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
    return StreamingResponse(inflated_chunks(blob), media_type=media_type, headers=sent)


def inflated_chunks(blob: bytes, chunk: int = INFLATE_CHUNK) -> Iterator[bytes]:
    """``blob`` (gzip or zlib) decompressed piece by piece: at most about ``chunk`` bytes at a time."""
    inflater = zlib.decompressobj(47)
    for start in range(0, len(blob), chunk // 8):
        data = inflater.decompress(blob[start : start + chunk // 8], chunk)
        while data:
            yield data
            data = inflater.decompress(inflater.unconsumed_tail, chunk) if inflater.unconsumed_tail else b""
    rest = inflater.flush()
    if rest:
        yield rest


def cached_artifact(
    store: JobStore, job_id: str, name: str, write: Callable[[BinaryIO], object], *, replaces: Sequence[str] = ()
) -> bytes:
    """The stored rendering ``name`` of a job's map: ``write`` writes it to a gzip stream on first
    use, and the renderings it ``replaces`` (stored under older names) are deleted then."""
    blob = store.get_artifact(job_id, name)
    if blob is None:
        blob = gzip_written(write)
        store.put_artifact(job_id, name, blob)
        store.drop_artifacts(job_id, replaces)
    return blob
