"""Topics of a map as CSV: one row per topic (topicmap/render/topic_table.py)."""

from __future__ import annotations

import csv
import io

from tests.api.maps import XSS, small_map
from topicmap.render.topic_table import write_topics_csv
from topicmap.schemas import Hierarchy, HierarchyNode, TopicMap


def rows_of(topic_map: TopicMap, texts: list[str] | None) -> list[dict[str, str]]:
    out = io.StringIO()
    write_topics_csv(out, topic_map, texts)
    assert out.getvalue().startswith("\ufefftopic,")  # UTF-8's mark: Excel reads the file as UTF-8
    return list(csv.DictReader(io.StringIO(out.getvalue().removeprefix("\ufeff"))))


def node(node_id: str, level: str, label: str, topics: list[int], parent: str | None) -> HierarchyNode:
    return HierarchyNode(
        id=node_id, level=level, parent=parent, children=[], size=0, label=label, terms=[], topics=topics, x=0, y=0
    )


def test_one_row_per_topic_with_its_share_terms_and_representative_texts() -> None:
    topic_map, texts = small_map()
    rows = rows_of(topic_map, texts)
    assert list(rows[0]) == [
        "topic",
        "label",
        "size",
        "percent",
        "terms",
        "representative_1",
        "representative_2",
        "representative_3",
    ]
    assert [row["topic"] for row in rows] == ["0", "1", "2", "-1"]  # the map's order, the outliers too
    first = rows[0]
    assert (first["label"], first["size"], first["percent"]) == ("rocket · orbit", "3", "33.3")
    assert first["terms"] == "rocket; orbit"
    assert first["representative_1"] == texts[0] and first["representative_2"] == ""
    assert rows[1]["representative_1"].startswith(XSS)  # a text as it was, inside a quoted cell
    assert abs(sum(float(row["percent"]) for row in rows) - 100) <= 0.05 * len(rows)  # each rounded to 0.1


def test_without_texts_there_are_no_representative_columns() -> None:
    topic_map, _ = small_map()
    assert list(rows_of(topic_map, None)[0])[-1] == "terms"


def test_each_topic_names_its_themes_and_formulas_are_neutralised() -> None:
    topic_map, texts = small_map()
    topic_map.topics[2].label = "=HYPERLINK(1)"
    topic_map.hierarchy = Hierarchy(
        method="test",
        levels=["coarse", "medium", "fine"],
        nodes=[
            node("root", "root", "All topics", [0, 1, 2], None),
            node("c0", "coarse", "space and cooking", [0, 2], "root"),
            node("c1", "coarse", "@evil", [1], "root"),
            node("m0", "medium", "rocket · orbit", [0], "c0"),
            node("m1", "medium", "bread · oven", [2], "c0"),
            node("m2", "medium", "evil", [1], "c1"),
        ],
    )
    rows = rows_of(topic_map, texts)
    assert list(rows[0])[4:6] == ["coarse_theme", "medium_theme"]
    by_topic = {row["topic"]: row for row in rows}
    assert (by_topic["2"]["coarse_theme"], by_topic["2"]["medium_theme"]) == ("space and cooking", "bread · oven")
    assert by_topic["1"]["coarse_theme"] == "'@evil" and by_topic["2"]["label"] == "'=HYPERLINK(1)"
    assert by_topic["-1"]["coarse_theme"] == ""  # the outliers belong to no theme
