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
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

JSON_SPACE = " \t\n\r"


class ReadError(ValueError):
    """The bytes are not what their format says: a sentence naming the line (1-based)."""


UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
"""Text saved as UTF-16 (Windows PowerShell's `>` and Out-File, Excel's "Unicode Text") starts with one."""


def is_utf16(head: bytes) -> bool:
    return head.startswith(UTF16_MARKS)


def encoding_of(data: BinaryIO) -> str:
    """UTF-16 when the text starts with its byte-order mark, else UTF-8 (a mark skipped). The stream
    is left where it was."""
    start = data.tell()
    head = data.read(2)
    data.seek(start)
    return "utf-16" if is_utf16(head) else "utf-8-sig"


def not_utf8(line: int, encoding: str = "utf-8-sig") -> ReadError:
    if encoding == "utf-16":
        return ReadError(f"not UTF-16 text (invalid bytes at line {line}) after its UTF-16 mark; save it as UTF-8")
    return ReadError(
        f"not UTF-8 text (invalid byte at line {line}); save it as UTF-8 (in Excel: Save As, 'CSV UTF-8'), "
        "or name its encoding (encoding in the API, --encoding in the CLI: cp1252 for Excel's plain CSV on Windows)"
    )


UTF8_CODECS = ("utf-8", "utf-8-sig")
TRANSCODE_IN_MEMORY = 8 * 1024 * 1024
"""A file named to be in another encoding is rewritten as UTF-8 in memory up to this size, on disk past it."""


def text_encoding(name: str) -> str:
    """The codec of a text encoding's name ("cp1252", "Latin-1", "shift_jis"), or a ReadError."""
    try:
        "".encode(name)  # a text encoding: not base64 or rot13, which codecs.lookup finds too
    except (LookupError, UnicodeError, ValueError):  # "undefined" always fails; a NUL in the name: ValueError
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise ReadError(f"unknown text encoding {shown!r} (for example utf-8, cp1252, latin-1, shift_jis)") from None
    return codecs.lookup(name).name


def transcoded(data: BinaryIO, encoding: str) -> BinaryIO:
    """The text of ``data``, in ``encoding`` (a codec's name), as UTF-8 bytes in a spooled file, to be
    read as any UTF-8 file is; the caller closes it. A byte the encoding has no character for is a
    ReadError naming its line."""
    start = data.tell()
    decoder = codecs.getincrementaldecoder(encoding)()
    utf8 = tempfile.SpooledTemporaryFile(max_size=TRANSCODE_IN_MEMORY)
    try:
        while chunk := data.read(64 * 1024):
            utf8.write(decoder.decode(chunk).encode("utf-8"))
        utf8.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeError as exc:  # a decode error, or punycode's own kind
        utf8.close()
        where = (
            f" (invalid byte at line {bad_byte_line(data, start, encoding)})"
            if isinstance(exc, UnicodeDecodeError)
            else ""
        )
        raise ReadError(f"not {encoding} text{where}") from None
    utf8.seek(0)
    return utf8  # type: ignore[return-value]  # a SpooledTemporaryFile is a binary file


def bad_byte_line(data: BinaryIO, start: int, encoding: str) -> int:
    """The line (1-based) of the first byte from ``start`` that ``encoding`` cannot decode. A text
    stream decodes 8 KiB at a time and fails on the chunk's first line: a bad byte on line 2 was
    reported on line 1. Read again from ``start``, on the error path only."""
    data.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    while chunk := data.read(64 * 1024):
        try:
            line += decoder.decode(chunk).count("\n")
        except UnicodeDecodeError as exc:
            return line + codecs.decode(exc.object[: exc.start], encoding, errors="replace").count("\n")
    return line


def text_stream(data: BinaryIO, *, newline: str | None = None) -> io.TextIOWrapper:
    """UTF-8 text (a byte-order mark skipped), or UTF-16 with its mark, decoded as it is read."""
    return io.TextIOWrapper(data, encoding=encoding_of(data), errors="strict", newline=newline)


def let_go(stream: io.TextIOWrapper) -> None:
    """Give the bytes back to their owner without closing them. The owner may have closed them
    already: a reading that stopped at an error is finished when it is collected, after the file's
    ``with``, and detaching then printed "Exception ignored in: <generator object rows>"."""
    if not stream.buffer.closed:
        stream.detach()


def lines(data: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) for each line (\\n, \\r\\n or \\r)."""
    start = data.tell()
    stream = text_stream(data)
    try:
        for number, line in enumerate(stream, 1):
            yield number, line.rstrip("\n")
    except UnicodeDecodeError:
        raise not_utf8(bad_byte_line(data, start, stream.encoding), stream.encoding) from None
    finally:
        let_go(stream)


CSV_DELIMITERS = (",", ";", "\t", "|")
"""What a .csv file's fields may be separated by: commas, or semicolons (spreadsheets saved where
the comma is the decimal mark), tabs or bars."""


def header_delimiter(data: BinaryIO) -> str:
    """The delimiter of a .csv file: the one of CSV_DELIMITERS that splits its first line into the
    most fields (a comma on a tie: a one-column file is read as before); blank lines before it do
    not count. The stream is left where it was."""
    encoding = encoding_of(data)
    start = data.tell()
    head = data.read(64 * 1024)
    data.seek(start)
    first = [next((line for line in head.decode(encoding, errors="replace").splitlines() if not blank(line)), "")]
    if separator_line(first[0]):  # Excel's "sep=;" line names it
        return first[0].strip(" \r\n")[4]
    widths = {d: len(next(csv.reader(first, delimiter=d), [])) for d in CSV_DELIMITERS}
    return max(CSV_DELIMITERS, key=lambda d: (widths[d], d == ","))


def blank(line: str) -> bool:
    """A line with nothing but spaces and delimiters: the reader skips such lines before the header."""
    return not line.strip(" \t\r\n" + "".join(CSV_DELIMITERS))


def separator_line(line: str) -> bool:
    """Excel's first line "sep=;" (written so that Excel opens the file in columns): not a header."""
    text = line.strip(" \r\n")  # not a tab: "sep=\t" names one
    return len(text) == 5 and text.lower().startswith("sep=") and text[4] in CSV_DELIMITERS


def rows(data: BinaryIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each row of a CSV or TSV file, the header first."""
    start = data.tell()
    stream = text_stream(data, newline="")
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        for row in reader:
            yield reader.line_num, row
    except UnicodeDecodeError:
        raise not_utf8(bad_byte_line(data, start, stream.encoding), stream.encoding) from None
    except csv.Error as exc:
        raise ReadError(f"malformed CSV at line {reader.line_num}: {exc}") from None
    finally:
        let_go(stream)


def json_items(text: str) -> Iterator[Any]:
    """The items of a JSON array, or of the ``documents`` array of an object, one at a time;
    anything else is yielded whole (the caller says what it expected)."""
    decoder = json.JSONDecoder()
    position = _skip(text, 0)
    if text.startswith("{", position):
        position = _skip(text, position + 1)
        is_object: dict[str, bool] = {}  # each key's value is an object (not kept: a file may be large)
        while not text.startswith("}", position):
            key, position = _decode(decoder, text, position)
            position = _expect(text, position, ":")
            if key == "documents" and text.startswith("[", position):
                yield from _array(decoder, text, position)
                return
            value, position = _decode(decoder, text, position)
            is_object[key] = isinstance(value, dict)
            position = _skip(text, position)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
        raise ReadError("expected a JSON list of strings or objects" + _pandas_hint(is_object))
    if text.startswith("[", position):
        yield from _array(decoder, text, position)
        return
    value, _ = _decode(decoder, text, position)
    yield value


def _pandas_hint(is_object: dict[str, bool]) -> str:
    """What to do with the shapes pandas' DataFrame.to_json() writes other than a list of rows."""
    if is_object and all(is_object.values()):
        return "; this is an object of columns, as pandas' to_json() writes by default: write it with orient='records'"
    if {"columns", "data"} <= is_object.keys():
        return "; this is pandas' orient='split' (columns and data apart): write it with orient='records'"
    return ""


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
    """The whole file as text (for JSON, which is walked in memory): strict UTF-8 (or UTF-16 with its mark)."""
    raw = data.read()
    encoding = "utf-16" if is_utf16(raw) else "utf-8-sig"
    try:
        return codecs.decode(raw, encoding)
    except UnicodeDecodeError as exc:
        line = codecs.decode(raw[: exc.start], encoding, errors="replace").count("\n") + 1
        raise not_utf8(line, encoding) from None
