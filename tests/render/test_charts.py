"""Charts of topics per class and over time (topicmap/render/charts.py)."""

from __future__ import annotations

import pytest

from tests.integration.synthetic import synthetic_map
from topicmap.render.charts import NotInMap, topics_over_time, topics_per_class
from topicmap.render.figures import topic_sizes
from topicmap.render.pages import build_figure
from topicmap.render.static import for_picture
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
    assert [trace.meta["topic"] for trace in bars.data] == [t.id for t in topic_map.topics]  # the page finds them
    assert [trace.meta["topic"] for trace in lines.data] == [t.id for t in topic_map.topics[:5]]


def test_over_time_switches_between_documents_and_each_periods_share() -> None:
    """A topic whose count falls with the volume can be growing: the share of each bin shows it."""
    topic_map = _with_views(400, 14)
    view = topic_map.over_time
    assert view is not None
    lines = topics_over_time(topic_map, max_topics=5)
    (switch,) = lines.layout.updatemenus
    documents, shares = switch.buttons
    assert documents.args[0]["y"] == [list(trace.y) for trace in lines.data]  # the lines as drawn first
    totals = [sum(column) for column in zip(*view.counts, strict=True)]  # all 14 topics' documents
    for trace, share in zip(lines.data, shares.args[0]["y"], strict=True):
        assert share == [round(c / t, 4) if t else 0.0 for c, t in zip(trace.y, totals, strict=True)]
    assert all(sum(column) <= 1 for column in zip(*shares.args[0]["y"], strict=True))  # 5 of 14 topics
    assert shares.args[1] == {"yaxis.title.text": f"share of the {view.unit}'s documents", "yaxis.tickformat": ".0%"}
    picture = for_picture(lines, 1600, 1100)
    assert picture.layout.updatemenus == () and list(picture.data[0].y) == list(lines.data[0].y)  # no buttons drawn
    assert lines.layout.updatemenus  # the figure itself keeps them


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
    assert list(cells.meta["topics"]) == [t.id for t in topic_map.topics[:5]]  # each named row's topic
    assert all(abs(sum(row[j] for row in cells.z) - 1) < 0.01 for j in range(3))


def test_two_topics_of_one_name_are_two_rows() -> None:
    """A person named two topics "Billing": Plotly drew one row for both, their bars one on the other."""
    topic_map = _with_views(400, 14)
    topic_map.topics[1].label = topic_map.topics[2].label = "Billing"
    (cells,) = topics_per_class(topic_map).data
    ids = [topic_map.topics[1].id, topic_map.topics[2].id]
    named = sorted(f"Billing (topic {i})" for i in ids)
    assert sorted(y for y in cells.y if y.startswith("Billing")) == named and len(set(cells.y)) == len(cells.y)
    (bars,) = topic_sizes(topic_map).data
    assert sorted(y for y in bars.y if y.startswith("Billing")) == named and len(set(bars.y)) == len(bars.y) == 14
    few = _with_views(400, 8)  # stacked bars and lines: two legend entries that say which is which
    few.topics[1].label = few.topics[2].label = "Billing"
    named = sorted(f"Billing (topic {t.id})" for t in few.topics[1:3])
    for figure in (topics_per_class(few), topics_over_time(few)):
        assert sorted(trace.name for trace in figure.data if trace.name.startswith("Billing")) == named


def test_a_map_without_the_column_says_how_to_get_it() -> None:
    with pytest.raises(NotInMap, match="class_column"):
        topics_per_class(synthetic_map(40, 3))
    with pytest.raises(NotInMap, match="time_column"):
        build_figure("over_time", synthetic_map(40, 3))
