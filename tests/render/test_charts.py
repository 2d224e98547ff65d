"""Charts of topics per class and over time (topicmap/render/charts.py)."""

from __future__ import annotations

import pytest

from tests.integration.synthetic import synthetic_map
from topicmap.render.charts import NotInMap, topics_over_time, topics_per_class
from topicmap.render.pages import build_figure
from topicmap.schemas import PipelineParams
from topicmap.views import attach_views


def test_per_class_bars_stack_the_largest_topics_and_the_rest() -> None:
    topic_map = synthetic_map(400, 14)
    topic_map.topics[0].label = "<b>bold</b>"
    metadata = [{"team": f"team {i % 3}", "when": 1_700_000_000 + i * 86_400} for i in range(400)]
    attach_views(topic_map, metadata, PipelineParams(class_column="team", time_column="when"))
    bars = topics_per_class(topic_map, max_topics=5)
    assert [trace.name for trace in bars.data][-1] == "other topics" and len(bars.data) == 6
    assert bars.data[0].name == "&lt;b&gt;bold&lt;/b&gt;"  # escaped: Plotly renders some HTML
    totals = [sum(trace.y[j] for trace in bars.data) for j in range(3)]
    assert all(abs(total - 1) < 0.01 for total in totals)  # each class's shares add up
    lines = topics_over_time(topic_map, max_topics=5)
    assert len(lines.data) == 5 and lines.layout.xaxis.type == "date"
    assert sum(sum(trace.y) for trace in lines.data) < 400  # the other topics are not drawn as lines
    assert build_figure("per_class", topic_map).layout.barmode == "stack"


def test_a_map_without_the_column_says_how_to_get_it() -> None:
    with pytest.raises(NotInMap, match="class_column"):
        topics_per_class(synthetic_map(40, 3))
    with pytest.raises(NotInMap, match="time_column"):
        build_figure("over_time", synthetic_map(40, 3))
