"""Negotiating stored gzip bytes: Accept-Encoding and If-None-Match."""

from __future__ import annotations

import asyncio
import gzip
import os
import zlib

import pytest
from fastapi import Response
from fastapi.responses import StreamingResponse
from starlette.requests import Request

from api.stored import accepts_gzip, etag_matches, etag_of, inflated_chunks, stored_response
from topicmap.store import gzip_bytes, gzip_written, inflate


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("deflate", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accepts_gzip(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_etag_matching_is_weak_and_takes_lists() -> None:
    tag = etag_of(b"abc")
    assert tag.startswith('W/"') and etag_of(b"abc") == tag and etag_of(b"abd") != tag
    assert etag_matches(tag, tag) and etag_matches(tag.removeprefix("W/"), tag)
    assert etag_matches(f'"other", {tag}', tag) and etag_matches("*", tag)
    assert not etag_matches('"other"', tag) and not etag_matches(None, tag)


def request(**headers: str) -> Request:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b""})


def body(response: Response) -> bytes:
    """The bytes a response sends, streamed or not."""
    if not isinstance(response, StreamingResponse):
        return bytes(response.body)

    async def collect() -> bytes:
        return b"".join([bytes(chunk) async for chunk in response.body_iterator])  # type: ignore[arg-type]

    return asyncio.run(collect())


def test_stored_bytes_are_sent_as_they_are_or_inflated() -> None:
    blob = gzip_bytes(b'{"a": 1}')
    assert gzip_bytes(b'{"a": 1}') == blob  # a fixed timestamp: the same bytes, the same ETag
    compressed = stored_response(request(accept_encoding="gzip"), blob, "application/json")
    assert compressed.body == blob and compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["vary"] == "Accept-Encoding"
    plain = stored_response(request(accept_encoding="identity"), blob, "application/json")
    assert body(plain) == b'{"a": 1}' and "content-encoding" not in plain.headers
    assert plain.headers["etag"] == compressed.headers["etag"]
    unchanged = stored_response(request(if_none_match=compressed.headers["etag"]), blob, "application/json")
    assert unchanged.status_code == 304 and unchanged.body == b""


def test_maps_stored_before_gzip_framing_still_read() -> None:
    legacy = zlib.compress(b'{"a": 1}')
    assert inflate(legacy) == b'{"a": 1}'
    response = stored_response(request(accept_encoding="gzip"), legacy, "application/json")
    assert body(response) == b'{"a": 1}' and "content-encoding" not in response.headers
    assert gzip.decompress(gzip_bytes(b"x")) == b"x"


def test_large_stored_bytes_are_inflated_piece_by_piece() -> None:
    plain = os.urandom(50_000).hex().encode() * 3  # 300 kB, compressible
    blob = gzip_bytes(plain)
    pieces = list(inflated_chunks(blob, chunk=4096))
    assert b"".join(pieces) == plain
    assert len(pieces) > 10 and max(len(piece) for piece in pieces) <= 4096
    assert b"".join(inflated_chunks(zlib.compress(plain), chunk=4096)) == plain


def test_a_rendering_is_compressed_as_it_is_written() -> None:
    blob = gzip_written(lambda out: [out.write(b"row %d\n" % i) for i in range(1000)])
    assert inflate(blob) == b"".join(b"row %d\n" % i for i in range(1000))
    assert blob == gzip_written(lambda out: out.write(inflate(blob)))  # fixed timestamp: stable ETags
