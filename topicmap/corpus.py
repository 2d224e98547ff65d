"""Read a corpus file (.csv, .tsv, .json, .jsonl, .txt) into texts, ids and metadata.

Only the standard library is used, so the API can parse uploads with the same code. Every problem
raises :class:`CorpusError` with a one-line message a person can act on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from topicmap.errors import Invalid
from topicmap.schemas import MIN_DOCUMENTS

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".txt")
TEXT_COLUMN_NAMES = ("text", "content", "document", "body")
ID_COLUMN_NAMES = ("id",)

csv.field_size_limit(2**31 - 1)


class CorpusError(Invalid):
    """The corpus cannot be used as given; the message says why in one line."""


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
) -> Corpus:
    """Read and normalise the corpus in ``path``; the suffix picks the format."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"no such file: {path}")
    return parse_corpus(
        path.read_bytes(),
        suffix=path.suffix,
        text_column=text_column,
        id_column=id_column,
        min_documents=min_documents,
        name=path.name,
    )


def parse_corpus(
    data: bytes,
    *,
    suffix: str,
    text_column: str | None = None,
    id_column: str | None = None,
    min_documents: int = MIN_DOCUMENTS,
    name: str = "input",
) -> Corpus:
    """Parse the bytes of a corpus file whose format is given by ``suffix`` (e.g. ``".csv"``)."""
    suffix = suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; use one of " + ", ".join(SUPPORTED_SUFFIXES)
        )
    text = _decode(data, name)
    if suffix in (".csv", ".tsv"):
        records, column = _read_delimited(text, "\t" if suffix == ".tsv" else ",", text_column, id_column, name)
    elif suffix == ".txt":
        records, column = [_Record(line, line=i) for i, line in enumerate(text.splitlines(), 1)], None
    else:
        rows = _read_json(text, name) if suffix == ".json" else _read_jsonl(text, name)
        records, column = _records_from_objects(rows, text_column, id_column, name)
    return build_corpus(records, min_documents=min_documents, text_column=column, name=name)


def corpus_from_documents(documents: Sequence[str | dict[str, Any]], *, min_documents: int = MIN_DOCUMENTS) -> Corpus:
    """Build a corpus from in-memory documents: strings or ``{"text", "id"?, "meta"?}`` objects."""
    records = []
    for i, doc in enumerate(documents, 1):
        if isinstance(doc, str):
            records.append(_Record(doc, line=i))
        else:
            records.append(_Record(doc.get("text"), doc.get("id"), dict(doc.get("meta") or {}), line=i))
    return build_corpus(records, min_documents=min_documents, text_column=None, name="documents")


def build_corpus(records: Iterable[_Record], *, min_documents: int, text_column: str | None, name: str) -> Corpus:
    """Drop empty documents, assign ids, check ids are unique and that enough documents remain."""
    texts: list[str] = []
    ids: list[str] = []
    metadata: list[dict[str, Any]] = []
    seen: set[str] = set()
    numbered: list[int] = []
    n_received = 0
    for record in records:
        n_received += 1
        if record.text is None or (isinstance(record.text, str) and not record.text.strip()):
            continue
        if not isinstance(record.text, str):
            raise CorpusError(f"{name}: item {record.line}: text must be a string, got {type(record.text).__name__}")
        doc_id = str(record.id) if record.id not in (None, "") else str(n_received - 1)
        if doc_id in seen:
            raise CorpusError(f"{name}: item {record.line}: duplicate id {doc_id!r}")
        seen.add(doc_id)
        if record.id in (None, ""):
            numbered.append(len(ids))
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


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{name}: this looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(f"{name}: not UTF-8 text (invalid byte at line {line}); save it as UTF-8") from None
    return text


def _read_delimited(
    text: str, delimiter: str, text_column: str | None, id_column: str | None, name: str
) -> tuple[list[_Record], str]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise CorpusError(f"{name}: the file is empty: no header row")
        header = [h.strip() for h in header]
        rows: list[tuple[int, list[str]]] = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise CorpusError(
                    f"{name}: malformed row at line {reader.line_num}: {len(row)} fields, the header has {len(header)}"
                )
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise CorpusError(f"{name}: malformed CSV at line {reader.line_num}: {exc}") from None
    columns = {h: i for i, h in enumerate(header)}
    column = _choose_text_column(header, [[r[i] for _, r in rows[:200]] for i in range(len(header))], text_column, name)
    id_col = _choose_id_column(header, id_column, column, name)
    records = []
    for line, row in rows:
        meta = {h: row[i] for h, i in columns.items() if h not in (column, id_col)}
        records.append(_Record(row[columns[column]], row[columns[id_col]] if id_col else None, meta, line))
    return records, column


def _read_json(text: str, name: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{name}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("documents"), list):
        data = data["documents"]
    if not isinstance(data, list):
        raise CorpusError(f"{name}: expected a JSON list of strings or objects")
    return data


def _read_jsonl(text: str, name: str) -> list[Any]:
    rows = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{name}: malformed JSON at line {i}, column {exc.colno}: {exc.msg}") from None
    return rows


def _records_from_objects(
    rows: list[Any], text_column: str | None, id_column: str | None, name: str
) -> tuple[list[_Record], str | None]:
    if all(isinstance(r, str) or r is None for r in rows):
        if text_column:
            raise CorpusError(f"{name}: --text-column {text_column!r} given, but the documents are plain strings")
        return [_Record(r, line=i) for i, r in enumerate(rows, 1)], None
    if not all(isinstance(r, dict) for r in rows):
        raise CorpusError(f"{name}: expected every item to be a string or every item an object")
    header = list(dict.fromkeys(k for r in rows for k in r))
    samples = [[r.get(h) for r in rows[:200]] for h in header]
    column = _choose_text_column(header, samples, text_column, name)
    id_col = _choose_id_column(header, id_column, column, name)
    records = [
        _Record(r.get(column), r.get(id_col) if id_col else None, _flat_metadata(r, (column, id_col)), i)
        for i, r in enumerate(rows, 1)
    ]
    return records, column


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


def _choose_text_column(header: list[str], samples: list[list[Any]], requested: str | None, name: str) -> str:
    listing = ", ".join(header)
    if requested is not None:
        if requested not in header:
            raise CorpusError(f"{name}: unknown text column {requested!r}; the columns are: {listing}")
        return requested
    by_lower = {h.lower(): h for h in header}
    for candidate in TEXT_COLUMN_NAMES:
        if candidate in by_lower:
            return by_lower[candidate]
    textual = [h for h, values in zip(header, samples, strict=True) if _looks_textual(values)]
    if len(textual) == 1:
        return textual[0]
    raise CorpusError(f"{name}: cannot tell which column holds the text; pass --text-column, one of: {listing}")


def _choose_id_column(header: list[str], requested: str | None, text_column: str, name: str) -> str | None:
    if requested is not None:
        if requested not in header:
            raise CorpusError(f"{name}: unknown id column {requested!r}; the columns are: {', '.join(header)}")
        return requested
    return next((h for h in header if h.lower() in ID_COLUMN_NAMES and h != text_column), None)


def _looks_textual(values: list[Any]) -> bool:
    """A column holds text when most non-empty values are strings that are not numbers."""
    strings = [v for v in values if isinstance(v, str) and v.strip()]
    if not strings:
        return False
    numeric = sum(1 for v in strings if _is_number(v))
    return numeric < len(strings) / 2 and any(" " in v.strip() for v in strings)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
