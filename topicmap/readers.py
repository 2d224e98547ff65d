"""Streaming readers for corpus files: one document at a time, never the whole file as records.

A caller stops reading at the first document past its cap, so a 50 MB upload of 25 million lines
costs what its first ``max_documents`` lines cost. The raw bytes are read through a text decoder
(no decoded copy of the whole file); JSON arrays are walked item by item with ``raw_decode``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

JSON_SPACE = " \t\n\r"


class ReadError(ValueError):
    """The bytes are not what their format says: a sentence naming the line (1-based)."""


def not_utf8(line: int) -> ReadError:
    return ReadError(f"not UTF-8 text (invalid byte at line {line}); save it as UTF-8")


def text_stream(data: BinaryIO, *, newline: str | None = None) -> io.TextIOWrapper:
    """UTF-8 text (a byte-order mark skipped) decoded as it is read."""
    return io.TextIOWrapper(data, encoding="utf-8-sig", errors="strict", newline=newline)


def lines(data: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) for each line (\\n, \\r\\n or \\r)."""
    number = 0
    stream = text_stream(data)
    try:
        for number, line in enumerate(stream, 1):
            yield number, line.rstrip("\n")
    except UnicodeDecodeError:
        raise not_utf8(number + 1) from None
    finally:
        stream.detach()


CSV_DELIMITERS = (",", ";", "\t", "|")
"""What a .csv file's fields may be separated by: commas, or semicolons (spreadsheets saved where
the comma is the decimal mark), tabs or bars."""


def header_delimiter(data: BinaryIO) -> str:
    """The delimiter of a .csv file: the one of CSV_DELIMITERS that splits its first line into the
    most fields (a comma on a tie: a one-column file is read as before). The stream is left at the start."""
    start = data.tell()
    head = data.read(64 * 1024)
    data.seek(start)
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1] or [""]
    widths = {d: len(next(csv.reader(first, delimiter=d), [])) for d in CSV_DELIMITERS}
    return max(CSV_DELIMITERS, key=lambda d: (widths[d], d == ","))


def rows(data: BinaryIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each row of a CSV or TSV file, the header first."""
    stream = text_stream(data, newline="")
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        for row in reader:
            yield reader.line_num, row
    except UnicodeDecodeError:
        raise not_utf8(reader.line_num + 1) from None
    except csv.Error as exc:
        raise ReadError(f"malformed CSV at line {reader.line_num}: {exc}") from None
    finally:
        stream.detach()


def json_items(text: str) -> Iterator[Any]:
    """The items of a JSON array, or of the ``documents`` array of an object, one at a time;
    anything else is yielded whole (the caller says what it expected)."""
    decoder = json.JSONDecoder()
    position = _skip(text, 0)
    if text.startswith("{", position):
        position = _skip(text, position + 1)
        while not text.startswith("}", position):
            key, position = _decode(decoder, text, position)
            position = _expect(text, position, ":")
            if key == "documents" and text.startswith("[", position):
                yield from _array(decoder, text, position)
                return
            _, position = _decode(decoder, text, position)
            position = _skip(text, position)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
        raise ReadError("expected a JSON list of strings or objects")
    if text.startswith("[", position):
        yield from _array(decoder, text, position)
        return
    value, _ = _decode(decoder, text, position)
    yield value


def _array(decoder: json.JSONDecoder, text: str, position: int) -> Iterator[Any]:
    position = _skip(text, position + 1)
    if text.startswith("]", position):
        return
    while True:
        value, position = _decode(decoder, text, position)
        yield value
        position = _skip(text, position)
        if text.startswith("]", position):
            return
        position = _expect(text, position, ",")


def _decode(decoder: json.JSONDecoder, text: str, position: int) -> tuple[Any, int]:
    try:
        value, end = decoder.raw_decode(text, _skip(text, position))
    except json.JSONDecodeError as exc:
        raise ReadError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return value, _skip(text, end)


def _expect(text: str, position: int, token: str) -> int:
    position = _skip(text, position)
    if not text.startswith(token, position):
        line = text.count("\n", 0, position) + 1
        raise ReadError(
            f"malformed JSON at line {line}, column {position - text.rfind(chr(10), 0, position)}: expected {token!r}"
        )
    return _skip(text, position + 1)


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in JSON_SPACE:
        position += 1
    return position


def decoded(data: BinaryIO) -> str:
    """The whole file as text (for JSON, which is walked in memory): strict UTF-8."""
    raw = data.read()
    try:
        return codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(raw[: exc.start].count(b"\n") + 1) from None
