"""Topics of a topic map as CSV: one row per topic, the table a report starts from.

Each topic's label, size and share of the documents, the themes it belongs to (coarse, medium),
its top terms and the texts of its most representative documents, in the map's topic order (the
largest first). Spreadsheet-safe as the documents' export is (topicmap/render/exports.py).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from topicmap.render.exports import SPREADSHEET_MARK, neutralise
from topicmap.schemas import TopicMap

N_TERMS = 10
N_REPRESENTATIVES = 3
TERM_SEPARATOR = "; "


def topic_rows(topic_map: TopicMap, texts: Sequence[str] | None = None) -> Iterator[list[Any]]:
    """The header, then one row per topic: topic, label, size, percent (of the map's documents),
    a theme column per level above the topics (``coarse_theme``, ``medium_theme``), terms, and
    ``representative_1..3`` (texts, when ``texts`` are given: one per document, in the map's order)."""
    docs = topic_map.documents
    total = len(docs.id)
    levels = [level for level in (topic_map.hierarchy.levels if topic_map.hierarchy else []) if level != "fine"]
    themes = {level: theme_of_topics(topic_map, level) for level in levels}
    row_of = {doc_id: row for row, doc_id in enumerate(docs.id)} if texts is not None else {}
    header = ["topic", "label", "size", "percent", *(f"{level}_theme" for level in levels), "terms"]
    if texts is not None:
        header += [f"representative_{rank}" for rank in range(1, N_REPRESENTATIVES + 1)]
    yield header
    for topic in topic_map.topics:
        row: list[Any] = [
            topic.id,
            topic.label,
            topic.size,
            round(100 * topic.size / total, 1) if total else 0.0,
            *(themes[level].get(topic.id, "") for level in levels),
            TERM_SEPARATOR.join(term.term for term in topic.terms[:N_TERMS]),
        ]
        if texts is not None:
            shown = [texts[row_of[d]] for d in topic.representative_documents if d in row_of][:N_REPRESENTATIVES]
            row += [*shown, *[""] * (N_REPRESENTATIVES - len(shown))]
        yield [neutralise(value) for value in row]


def theme_of_topics(topic_map: TopicMap, level: str) -> dict[int, str]:
    """Each topic's theme label at ``level`` of the map's hierarchy."""
    nodes = topic_map.hierarchy.nodes if topic_map.hierarchy else []
    return {topic: node.label for node in nodes if node.level == level for topic in node.topics}


def write_topics_csv(out: TextIO, topic_map: TopicMap, texts: Sequence[str] | None = None) -> None:
    out.write(SPREADSHEET_MARK)
    csv.writer(out).writerows(topic_rows(topic_map, texts))
