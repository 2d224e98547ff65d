"""Charts of topics per class and over time (topicmap/render/charts.py)."""

from __future__ import annotations

import pytest

from tests.integration.synthetic import synthetic_map
from topicmap.render.charts import NotInMap, topics_over_time, topics_per_class
from topicmap.render.pages import build_figure
from topicmap.render.style import escape
from topicmap.schemas import PipelineParams, TopicMap
from topicmap.views import attach_views


def _with_views(n_documents: int, n_topics: int) -> TopicMap:
    topic_map = synthetic_map(n_documents, n_topics)
    topic_map.topics[0].label = "<b>bold</b>"
    metadata = [{"team": f"team {i % 3}", "when": 1_700_000_000 + i * 86_400} for i in range(n_documents)]
    attach_views(topic_map, metadata, PipelineParams(class_column="team", time_column="when"))
    return topic_map


def test_per_class_bars_stack_every_topic_when_each_has_a_colour() -> None:
    topic_map = _with_views(400, 8)
    bars = topics_per_class(topic_map)
    assert [trace.type for trace in bars.data] == ["bar"] * 8 and bars.layout.barmode == "stack"
    assert bars.data[0].name == "&lt;b&gt;bold&lt;/b&gt;"  # escaped: Plotly renders some HTML
    totals = [sum(trace.y[j] for trace in bars.data) for j in range(3)]
    assert all(abs(total - 1) < 0.01 for total in totals)  # each class's shares add up
    lines = topics_over_time(topic_map, max_topics=5)
    assert len(lines.data) == 5 and lines.layout.xaxis.type == "date"
    assert sum(sum(trace.y) for trace in lines.data) < 400  # the other topics are not drawn as lines
    assert build_figure("per_class", topic_map).layout.barmode == "stack"


def test_more_topics_than_colours_make_a_heatmap_of_every_topic() -> None:
    """Stacked bars of the ten largest of 14 topics left the rest one grey "other topics"."""
    topic_map = _with_views(400, 14)
    heatmap = topics_per_class(topic_map)
    assert [trace.type for trace in heatmap.data] == ["heatmap"]
    (cells,) = heatmap.data
    assert list(cells.y) == [escape(t.label) for t in topic_map.topics] and list(cells.x) == [
        "team 0",
        "team 1",
        "team 2",
    ]
    assert all(abs(sum(row[j] for row in cells.z) - 1) < 0.01 for j in range(3))
    assert sum(map(sum, cells.customdata)) == 400 and heatmap.layout.yaxis.autorange == "reversed"
    assert "(the 2 largest of 3 team values)" in topics_per_class(topic_map, max_classes=2).layout.title.text
    few_rows = topics_per_class(topic_map, max_rows=6)
    (cells,) = few_rows.data
    assert len(cells.y) == 6 and cells.y[-1] == "other topics (9)" and sum(map(sum, cells.customdata)) == 400
    assert all(abs(sum(row[j] for row in cells.z) - 1) < 0.01 for j in range(3))


def test_a_map_without_the_column_says_how_to_get_it() -> None:
    with pytest.raises(NotInMap, match="class_column"):
        topics_per_class(synthetic_map(40, 3))
    with pytest.raises(NotInMap, match="time_column"):
        build_figure("over_time", synthetic_map(40, 3))
