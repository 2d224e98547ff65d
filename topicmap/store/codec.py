"""How stored bytes are framed: gzip with a fixed timestamp (served to clients as stored), read back
whether gzip- or zlib-framed."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from typing import BinaryIO, cast


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """gzip with a fixed timestamp: the same content always gives the same bytes (and ETag)."""
    return gzip.compress(data, compresslevel=level, mtime=0)


def gzip_written(write: Callable[[BinaryIO], object], level: int = 6) -> bytes:
    """gzip bytes of what ``write`` writes to the stream it is given (fixed timestamp, as
    :func:`gzip_bytes`): a large rendering is compressed as it is made, never held uncompressed."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=level, mtime=0) as stream:
        write(cast(BinaryIO, stream))
    return buffer.getvalue()


def inflate(data: bytes) -> bytes:
    """Decompress gzip- or zlib-framed bytes (wbits 47 detects the header)."""
    return zlib.decompress(data, 47)
