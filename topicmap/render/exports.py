"""Documents of a topic map as CSV: one row per document, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TextIO

from topicmap.schemas import TopicMap

BASE_COLUMNS = ("id", "topic", "label", "x", "y", "outlier", "text")
DUPLICATE_COLUMN = "duplicate_group"
"""After ``text`` in maps that have near-duplicate groups: the document's group, -1 for none."""
MEMBERSHIP_COLUMNS = ("strength", "topic_2", "strength_2", "topic_3", "strength_3")
"""After those, in maps with several topics per document: the strength of the document's topic,
then its next two topics and their strengths (empty where it has fewer)."""
TAGS_COLUMN = "tags"
"""Last of them, in maps whose documents were tagged: the document's tags joined by "; "."""
DERIVED_COLUMNS = (*BASE_COLUMNS, DUPLICATE_COLUMN, *MEMBERSHIP_COLUMNS, TAGS_COLUMN)
"""Every column the export writes itself (what is not metadata when the file is read back)."""
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SPREADSHEET_MARK = "\ufeff"
"""UTF-8's byte-order mark, first: without it Excel opens a .csv in the machine's code page, and
"app · crash" reads "app Â· crash" (pandas, R and topicmap's own reader skip it)."""


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a quote (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def document_rows(
    topic_map: TopicMap,
    texts: Sequence[str] | None = None,
    metadata: Sequence[Mapping[str, Any]] | None = None,
) -> Iterator[list[Any]]:
    """The header, then one row per document (metadata columns after the base columns)."""
    docs = topic_map.documents
    texts = texts if texts is not None else docs.text
    groups = docs.duplicate_group
    tops, strengths = docs.top_topics, docs.top_strengths
    base = (*BASE_COLUMNS, DUPLICATE_COLUMN) if groups is not None else BASE_COLUMNS
    if tops is not None and strengths is not None:
        base = (*base, *MEMBERSHIP_COLUMNS)
    tags = docs.tags
    if tags is not None:
        base = (*base, TAGS_COLUMN)
    meta_columns = list(dict.fromkeys(k for m in metadata or [] for k in m))
    labels = {t.id: t.label for t in topic_map.topics}
    header = [*base, *metadata_headers(meta_columns, base)]
    yield [neutralise(column) for column in header]  # names come from the upload too
    for i, doc_id in enumerate(docs.id):
        meta = metadata[i] if metadata else {}
        row = [
            doc_id,
            docs.topic[i],
            labels.get(docs.topic[i], ""),
            docs.x[i],
            docs.y[i],
            docs.outlier[i],
            texts[i] if texts is not None else "",
            *((groups[i],) if groups is not None else ()),
            *(membership(tops[i], strengths[i]) if tops is not None and strengths is not None else ()),
            *(("; ".join(tags[i]),) if tags is not None else ()),
            *(meta.get(column, "") for column in meta_columns),
        ]
        yield [neutralise(value) for value in row]


def metadata_headers(names: Sequence[str], derived: Sequence[str]) -> list[str]:
    """The header of each metadata column: its name, or ``metadata_<name>`` where the export writes a
    column of that name itself (an uploaded ``label`` or ``topic`` is kept beside the map's own)."""
    taken = {*derived, *names}
    headers = []
    for name in names:
        header = name
        while header in derived or (header != name and header in taken):
            header = f"metadata_{header}"
        taken.add(header)
        headers.append(header)
    return headers


def write_documents_csv(
    out: TextIO,
    topic_map: TopicMap,
    texts: Sequence[str] | None = None,
    metadata: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    out.write(SPREADSHEET_MARK)
    csv.writer(out).writerows(document_rows(topic_map, texts, metadata))


def membership(topics: Sequence[int], strengths: Sequence[float]) -> list[Any]:
    """strength, topic_2, strength_2, topic_3, strength_3 (empty cells where there are fewer topics)."""
    cells: list[Any] = [strengths[0] if strengths else ""]
    for rank in (1, 2):
        cells += [topics[rank], strengths[rank]] if len(topics) > rank else ["", ""]
    return cells
