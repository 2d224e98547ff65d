"""Charts of a map's metadata views: topics per class (stacked bars) and over time (lines).

Pure functions of a :class:`TopicMap` whose ``per_class`` / ``over_time`` the worker computed
(topicmap/views.py). The largest topics get a trace each, in the map's colours; the rest
are summed as "other topics".
"""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go

from topicmap.errors import NotFound
from topicmap.render.style import OUTLIER_COLOUR, escape, topic_colour
from topicmap.schemas import TopicMap

MAX_TOPICS = 10
MAX_CLASSES = 30


class NotInMap(NotFound):
    """The map has no such view (it was made without the column)."""


def topics_per_class(topic_map: TopicMap, *, max_topics: int = MAX_TOPICS, max_classes: int = MAX_CLASSES) -> go.Figure:
    """Stacked bars: for each class (the largest first), the share of its documents in each topic."""
    view = topic_map.per_class
    if view is None:
        raise NotInMap("this map has no topics per class: submit the job with params.class_column")
    classes = view.classes[:max_classes]
    shown, rest = _split_topics(topic_map, view.topics, max_topics)
    figure = go.Figure()
    labels = {t.id: t.label for t in topic_map.topics}
    for topic in shown:
        row = view.topics.index(topic)
        figure.add_trace(
            go.Bar(
                name=escape(labels.get(topic, f"Topic {topic}")),
                x=[escape(c) for c in classes],
                y=view.shares[row][: len(classes)],
                customdata=view.counts[row][: len(classes)],
                marker={"color": topic_colour(topic)},
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.0%} (%{customdata} documents)<extra></extra>",
            )
        )
    if rest:
        rows = [view.topics.index(t) for t in rest]
        figure.add_trace(
            go.Bar(
                name="other topics",
                x=[escape(c) for c in classes],
                y=[round(sum(view.shares[r][j] for r in rows), 4) for j in range(len(classes))],
                marker={"color": OUTLIER_COLOUR},
                hovertemplate="other topics<br>%{x}: %{y:.0%}<extra></extra>",
            )
        )
    more = f" (the {len(classes)} largest of {len(view.classes)})" if len(view.classes) > len(classes) else ""
    figure.update_layout(
        title=f"Topics per {escape(view.column)}{more}",
        barmode="stack",
        template="plotly_white",
        yaxis={"title": f"share of the {escape(view.column)}'s documents", "tickformat": ".0%"},
        legend={"title": {"text": "Topics"}},
        height=520,
    )
    return figure


def topics_over_time(topic_map: TopicMap, *, max_topics: int = MAX_TOPICS) -> go.Figure:
    """Lines: documents per time bin for each of the largest topics."""
    view = topic_map.over_time
    if view is None:
        raise NotInMap("this map has no topics over time: submit the job with params.time_column")
    shown, _ = _split_topics(topic_map, view.topics, max_topics)
    dates = [datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d") for start in view.bin_starts]
    labels = {t.id: t.label for t in topic_map.topics}
    figure = go.Figure()
    for topic in shown:
        row = view.topics.index(topic)
        figure.add_trace(
            go.Scatter(
                name=escape(labels.get(topic, f"Topic {topic}")),
                x=dates,
                y=view.counts[row],
                customdata=view.bins,
                mode="lines+markers" if len(dates) <= 60 else "lines",
                line={"color": topic_colour(topic), "width": 2},
                hovertemplate="%{fullData.name}<br>%{customdata}: %{y} documents<extra></extra>",
            )
        )
    note = f"; {view.unparsed:,} documents without a date left out" if view.unparsed else ""
    figure.update_layout(
        title=f"Topics over time (per {view.unit}{note})",
        template="plotly_white",
        xaxis={"title": escape(view.column), "type": "date"},
        yaxis={"title": "documents", "rangemode": "tozero"},
        legend={"title": {"text": "Topics"}},
        hovermode="x unified",
        height=520,
    )
    return figure


def _split_topics(topic_map: TopicMap, view_topics: list[int], max_topics: int) -> tuple[list[int], list[int]]:
    """The largest real topics of the view (map order is largest first), and the others."""
    in_view = set(view_topics)
    ordered = [t.id for t in topic_map.topics if t.id in in_view and t.id >= 0]
    ordered += [t for t in view_topics if t not in set(ordered)]
    return ordered[:max_topics], ordered[max_topics:]
