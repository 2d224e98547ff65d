"""Read a corpus file (.csv, .tsv, .json, .jsonl, .txt) into texts, ids and metadata.

Only the standard library is used, so the API can parse uploads with the same code. Every problem
raises :class:`CorpusError` with a one-line message a person can act on; a file past a cap (documents,
columns) raises :class:`TooManyDocuments` at the first document past it, without reading the rest
(topicmap/readers.py streams the file).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from topicmap.errors import Invalid, TooLarge
from topicmap.readers import (
    UTF8_CODECS,
    ReadError,
    blank,
    decoded,
    header_delimiter,
    is_utf16,
    json_items,
    lines,
    rows,
    separator_line,
    text_encoding,
    transcoded,
)
from topicmap.schemas import MIN_DOCUMENTS
from topicmap.text_column import ColumnError, choose_id_column, choose_text_column, column_names

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".txt")
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")
"""Not read (a zip of XML can unpack to far more than its upload); the error says how to save one as CSV."""

csv.field_size_limit(2**31 - 1)


class CorpusError(Invalid):
    """The corpus cannot be used as given; the message says why in one line."""


class TooManyDocuments(TooLarge):
    """The corpus is over a cap (documents or columns); reading stopped there."""


@dataclass(frozen=True)
class Caps:
    """Limits enforced while reading (None: no limit)."""

    documents: int | None = None
    columns: int | None = None


@dataclass
class Corpus:
    """Documents ready for the pipeline, after empty ones were dropped."""

    texts: list[str]
    ids: list[str]
    metadata: list[dict[str, Any]] = field(default_factory=list)
    n_received: int = 0
    n_dropped: int = 0
    text_column: str | None = None
    numbered: list[int] = field(default_factory=list)
    """Positions of the documents that came without an id: theirs is their row number."""

    def __len__(self) -> int:
        return len(self.texts)

    def number_after(self, taken: Collection[str]) -> None:
        """Give the documents that came without an id new numbers, not in ``taken`` (the ids of a map
        they join), counting on from ``len(taken)``; ids given in the request are kept."""
        if not self.numbered:
            return
        renumbered = set(self.numbered)
        given = {doc_id for i, doc_id in enumerate(self.ids) if i not in renumbered}
        number = len(taken)
        for position in self.numbered:
            while str(number) in taken or str(number) in given:
                number += 1
            self.ids[position] = str(number)
            number += 1


@dataclass
class _Record:
    text: Any
    id: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    line: int = 0


def read_corpus(
    path: str | Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    min_documents: int = MIN_DOCUMENTS,
    header: bool = True,
    encoding: str | None = None,
) -> Corpus:
    """Read and normalise the corpus in ``path``; the suffix picks the format."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"no such file: {path}")
    with path.open("rb") as handle:
        return parse_corpus(
            handle,
            suffix=path.suffix,
            text_column=text_column,
            id_column=id_column,
            min_documents=min_documents,
            name=path.name,
            header=header,
            encoding=encoding,
        )


def parse_corpus(
    data: bytes | BinaryIO,
    *,
    suffix: str,
    text_column: str | None = None,
    id_column: str | None = None,
    min_documents: int = MIN_DOCUMENTS,
    name: str = "input",
    caps: Caps = Caps(),
    header: bool = True,
    encoding: str | None = None,
) -> Corpus:
    """Parse a corpus file (its bytes, or a binary file to stream from) whose format is given by
    ``suffix`` (e.g. ``".csv"``), stopping at the first document past ``caps``. ``header=False``: a
    .csv or .tsv file's first line is a document too, and its columns are "column 1", "column 2"…
    ``encoding``: the file's text encoding, when it is not UTF-8 (or UTF-16 with its mark)."""
    suffix = suffix.lower()
    name = name if name.isprintable() else repr(name)
    if suffix not in SUPPORTED_SUFFIXES:
        spreadsheet = "; a spreadsheet: save it as 'CSV UTF-8' first" if suffix in SPREADSHEET_SUFFIXES else ""
        raise CorpusError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; use one of "
            + ", ".join(SUPPORTED_SUFFIXES)
            + spreadsheet
        )
    if not header and suffix in (".json", ".jsonl"):
        raise CorpusError(f"{name}: JSON has no header line to leave out; reading without one is for .csv and .tsv")
    utf8 = _as_utf8(data, encoding, name) if encoding is not None else None
    if utf8 is not None:  # read again as UTF-8, rewritten so (the checks above first: no rewrite of a refused file)
        with utf8:
            return parse_corpus(
                utf8,
                suffix=suffix,
                text_column=text_column,
                id_column=id_column,
                min_documents=min_documents,
                name=name,
                caps=caps,
                header=header,
            )
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0)
    head = stream.read(8192)
    if b"\x00" in head and not is_utf16(head):
        raise CorpusError(f"{name}: this looks like a binary file, not text")
    stream.seek(0)
    try:
        if suffix in (".csv", ".tsv"):
            delimiter = "\t" if suffix == ".tsv" else header_delimiter(stream)
            records, column = _read_delimited(stream, delimiter, text_column, id_column, name, caps, header=header)
        elif suffix == ".txt":
            records, column = (_Record(line, line=i) for i, line in lines(stream)), None
        else:
            items = _read_json(stream, name) if suffix == ".json" else _read_jsonl(stream, name)
            records, column = _records_from_objects(items, text_column, id_column, name, caps)
        return build_corpus(records, min_documents=min_documents, text_column=column, name=name, caps=caps)
    except (ReadError, ColumnError) as exc:
        raise CorpusError(f"{name}: {exc}") from None


def _as_utf8(data: bytes | BinaryIO, encoding: str, name: str) -> BinaryIO | None:
    """``data`` rewritten as UTF-8 from ``encoding``; None when that is UTF-8 already."""
    try:
        codec = text_encoding(encoding)
        stream = io.BytesIO(data) if isinstance(data, bytes) else data
        return None if codec in UTF8_CODECS else transcoded(stream, codec)
    except ReadError as exc:
        raise CorpusError(f"{name}: {exc}") from None


def corpus_from_documents(documents: Sequence[str | dict[str, Any]], *, min_documents: int = MIN_DOCUMENTS) -> Corpus:
    """Build a corpus from in-memory documents: strings or ``{"text", "id"?, "meta"?}`` objects."""
    records = []
    for i, doc in enumerate(documents, 1):
        if isinstance(doc, str):
            records.append(_Record(doc, line=i))
        else:
            records.append(_Record(doc.get("text"), doc.get("id"), dict(doc.get("meta") or {}), line=i))
    return build_corpus(records, min_documents=min_documents, text_column=None, name="documents")


def build_corpus(
    records: Iterable[_Record], *, min_documents: int, text_column: str | None, name: str, caps: Caps = Caps()
) -> Corpus:
    """Drop empty documents, assign ids, check ids are unique and that enough documents remain;
    stop at the first document past ``caps.documents``."""
    texts: list[str] = []
    ids: list[str] = []
    metadata: list[dict[str, Any]] = []
    seen: set[str] = set()
    numbered: list[int] = []
    n_received = 0
    for record in records:
        n_received += 1
        if record.text is None or (isinstance(record.text, str) and no_text(record.text)):
            continue
        if not isinstance(record.text, str):
            raise CorpusError(f"{name}: item {record.line}: text must be a string, got {type(record.text).__name__}")
        doc_id = str(record.id) if record.id not in (None, "") else str(n_received - 1)
        if doc_id in seen:
            raise CorpusError(f"{name}: item {record.line}: duplicate id {doc_id!r}")
        seen.add(doc_id)
        if record.id in (None, ""):
            numbered.append(len(ids))
        if caps.documents is not None and len(texts) >= caps.documents:
            raise TooManyDocuments(f"too many documents: more than {caps.documents}, at most {caps.documents} per job")
        texts.append(record.text.strip())
        ids.append(doc_id)
        metadata.append(record.meta)
    n_dropped = n_received - len(texts)
    if not texts:
        detail = f" ({n_dropped} empty)" if n_dropped else ""
        raise CorpusError(f"{name}: the corpus is empty: no non-empty documents{detail}")
    if len(texts) < min_documents:
        raise CorpusError(f"{name}: too few documents: {len(texts)} non-empty, at least {min_documents} are needed")
    return Corpus(
        texts, ids, metadata, n_received=n_received, n_dropped=n_dropped, text_column=text_column, numbered=numbered
    )


def no_text(text: str) -> bool:
    """Empty, or an export's mark of a missing value (N/A, NULL, nan, as pandas reads them)."""
    return text.strip().lower() in {"", "n/a", "#n/a", "null", "nan", "<na>"}


def _header_row(reader: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first row with a field that is not blank, with its line: blank lines before a header are
    skipped (and lines of delimiters only, as :func:`header_delimiter` skips them)."""
    return next(((line, row) for line, row in reader if not all(blank(field) for field in row)), (0, []))


def _read_delimited(
    stream: BinaryIO,
    delimiter: str,
    text_column: str | None,
    id_column: str | None,
    name: str,
    caps: Caps,
    *,
    header: bool = True,
) -> tuple[Iterator[_Record], str]:
    """The rows as records, streamed; the text column is chosen from the first 200 rows. Without a
    ``header`` line the first row is a document, and the columns are named by their place."""
    reader = rows(stream, delimiter)
    line, top = _header_row(reader)
    if separator_line(delimiter.join(top)):  # Excel's "sep=;": the header is the next row
        line, top = _header_row(reader)
    if not top:
        raise CorpusError(f"{name}: the file is empty: " + ("no header row" if header else "no rows"))
    names = column_names([h.strip() for h in top] if header else [""] * len(top))
    if caps.columns is not None and len(names) > caps.columns:
        raise TooManyDocuments(f"{name}: too many columns: {len(names)}, at most {caps.columns}")
    checked = _row_check(len(names), name, header=header)
    first: list[tuple[int, list[str]]] = [] if header else [checked(line, top)]
    for line, row in reader:
        if row:
            first.append(checked(line, row))
        if len(first) == 200:
            break
    if header:
        first = first[_survey_tool_rows(first) :]
    columns = {h: i for i, h in enumerate(names)}
    column = choose_text_column(names, [[r[i] for _, r in first] for i in range(len(names))], text_column)
    id_col = choose_id_column(names, id_column, column)

    def records() -> Iterator[_Record]:
        for line, row in itertools.chain(first, (checked(n, r) for n, r in reader if r)):
            meta = {h: row[i] for h, i in columns.items() if h not in (column, id_col)}
            yield _Record(row[columns[column]], row[columns[id_col]] if id_col else None, meta, line)

    return records(), column


def _survey_tool_rows(first: list[tuple[int, list[str]]]) -> int:
    """Header rows of survey tools under the header, not answers: how many to skip. Qualtrics
    writes each question's text, then a row of {"ImportId": ...} (2); SurveyMonkey a second header
    row, "Open-Ended Response" under each open question (1)."""
    marks = [value for value in first[1][1] if value.strip()] if len(first) > 1 else []
    if marks and all(value.startswith('{"ImportId"') for value in marks):
        return 2
    return 1 if first and "Open-Ended Response" in first[0][1] else 0


def _row_check(width: int, name: str, *, header: bool) -> Callable[[int, list[str]], tuple[int, list[str]]]:
    """(line, row) as given when the row has ``width`` fields, else a :class:`CorpusError`."""
    first = "the header" if header else "the first row"

    def checked(line: int, row: list[str]) -> tuple[int, list[str]]:
        if len(row) != width:
            raise CorpusError(f"{name}: malformed row at line {line}: {len(row)} fields, {first} has {width}")
        return line, row

    return checked


def _read_json(stream: BinaryIO, name: str) -> Iterator[Any]:
    """The items of a JSON list (or of a ``{"documents": [...]}`` object), one at a time."""
    for item in json_items(decoded(stream)):
        if isinstance(item, dict | str) or item is None:
            yield item
        else:
            raise CorpusError(f"{name}: expected a JSON list of strings or objects")


def _read_jsonl(stream: BinaryIO, name: str) -> Iterator[Any]:
    for i, line in lines(stream):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{name}: malformed JSON at line {i}, column {exc.colno}: {exc.msg}") from None


def _records_from_objects(
    items: Iterator[Any], text_column: str | None, id_column: str | None, name: str, caps: Caps = Caps()
) -> tuple[Iterator[_Record], str | None]:
    """Strings or objects, streamed: the kind, the text and the id column are decided from the
    first 200 items; a later item of the other kind is an error."""
    first = list(itertools.islice(items, 200))
    if all(isinstance(r, str) or r is None for r in first):
        if text_column:
            raise CorpusError(f"{name}: a text column ({text_column!r}) was given, but the documents are plain strings")

        def strings() -> Iterator[_Record]:
            for i, item in enumerate(itertools.chain(first, items), 1):
                if not (isinstance(item, str) or item is None):
                    raise CorpusError(f"{name}: expected every item to be a string or every item an object")
                yield _Record(item, line=i)

        return strings(), None
    if not all(isinstance(r, dict) for r in first):
        raise CorpusError(f"{name}: expected every item to be a string or every item an object")
    header = list(dict.fromkeys(k for r in first for k in r))
    samples = [[r.get(h) for r in first] for h in header]
    column = choose_text_column(header, samples, text_column)
    id_col = choose_id_column(header, id_column, column)

    def objects() -> Iterator[_Record]:
        for i, item in enumerate(itertools.chain(first, items), 1):
            if not isinstance(item, dict):
                raise CorpusError(f"{name}: expected every item to be a string or every item an object")
            meta = _flat_metadata(item, (column, id_col))
            if caps.columns is not None and len(meta) > caps.columns:
                raise TooManyDocuments(f"{name}: item {i}: too many fields: {len(meta)}, at most {caps.columns}")
            yield _Record(item.get(column), item.get(id_col) if id_col else None, meta, i)

    return objects(), column


def _flat_metadata(row: dict[str, Any], skip: tuple[str | None, ...]) -> dict[str, Any]:
    """The other keys of a document object, with the keys of its ``meta`` object (the API's document
    shape) among them: a file of ``{"text", "id", "meta": {...}}`` objects has the same columns as
    the same documents sent as JSON. A top-level key wins over a ``meta`` key of the same name."""
    metadata = {k: v for k, v in row.items() if k not in skip}
    nested = metadata.get("meta")
    if isinstance(nested, dict):
        del metadata["meta"]
        metadata = {**nested, **metadata}
    return metadata
