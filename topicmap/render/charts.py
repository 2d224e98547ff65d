"""Charts of a map's metadata views: topics per class (stacked bars, or a heatmap when there are
more topics than colours to tell apart) and over time (lines).

Pure functions of a :class:`TopicMap` whose ``per_class`` / ``over_time`` the worker computed
(topicmap/views.py). The largest topics get a trace (a bar, a line, a heatmap row) each; the rest
are summed as "other topics".
"""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go

from topicmap.errors import NotFound
from topicmap.render.style import OUTLIER_COLOUR, escape, row_names, topic_colour
from topicmap.schemas import PerClass, TopicMap

MAX_TOPICS = 10
"""Topics drawn as bars or lines, in the map's colours: more colours are too alike to tell apart."""
MAX_HEATMAP_TOPICS = 60
"""Rows of the heatmap of topics per class, the map's largest topics (the rest summed in one)."""
MAX_CLASSES = 30
SHARE_COLOURS = [[0.0, "#f7fbff"], [0.05, "#c6dbef"], [0.2, "#6baed6"], [0.5, "#2171b5"], [1.0, "#08306b"]]
"""Blues that part at small shares: a topic holding 5% of a class is seen, not lost beside the 90% cells."""


class NotInMap(NotFound):
    """The map has no such view (it was made without the column)."""


def topic_names(topic_map: TopicMap, topics: list[int]) -> list[str]:
    """Each topic's row or legend name in a chart: its label, with its number where two share one."""
    labels = {t.id: t.label for t in topic_map.topics}
    return row_names([labels.get(topic, f"Topic {topic}") for topic in topics], topics)


def topics_per_class(
    topic_map: TopicMap,
    *,
    max_topics: int = MAX_TOPICS,
    max_rows: int = MAX_HEATMAP_TOPICS,
    max_classes: int = MAX_CLASSES,
) -> go.Figure:
    """For each class (the largest first), the share of its documents in each topic: stacked bars
    when every topic has a colour of its own, else a heatmap of topics by classes (stacked bars of
    ten topics left most of a 100-topic map's documents in one grey "other topics")."""
    view = topic_map.per_class
    if view is None:
        raise NotInMap("this map has no topics per class: submit the job with params.class_column")
    if len(view.topics) > max_topics:
        return _per_class_heatmap(topic_map, view, max(max_rows, 2), max_classes)
    classes = view.classes[:max_classes]
    shown, rest = _split_topics(topic_map, view.topics, max_topics)
    figure = go.Figure()
    names = topic_names(topic_map, shown)
    for topic, name in zip(shown, names, strict=True):
        row = view.topics.index(topic)
        figure.add_trace(
            go.Bar(
                name=name,
                x=[escape(c) for c in classes],
                y=view.shares[row][: len(classes)],
                customdata=view.counts[row][: len(classes)],
                marker={"color": topic_colour(topic)},
                meta={"topic": topic},  # the page brings a topic chosen in its list forward
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
    more = _classes_left_out(view, classes)
    figure.update_layout(
        title=f"Topics per {escape(view.column)}{more}",
        barmode="stack",
        template="plotly_white",
        yaxis={"title": f"share of the {escape(view.column)}'s documents", "tickformat": ".0%"},
        legend={"title": {"text": "Topics"}},
        height=520,
    )
    return figure


def _per_class_heatmap(topic_map: TopicMap, view: PerClass, max_rows: int, max_classes: int) -> go.Figure:
    """Topics (rows, largest at the top) by classes (columns): the share of each class's documents
    in each topic, the number in the cell and the documents in the hover. Beyond ``max_rows``
    topics, the last row sums the smaller ones."""
    classes = view.classes[:max_classes]
    shown, rest = _split_topics(topic_map, view.topics, max_rows - 1 if len(view.topics) > max_rows else max_rows)
    rows = [[view.topics.index(topic)] for topic in shown] + ([[view.topics.index(t) for t in rest]] if rest else [])
    names = topic_names(topic_map, shown)
    names += [f"other topics ({len(rest)})"] if rest else []
    shares = [[round(sum(view.shares[r][j] for r in group), 4) for j in range(len(classes))] for group in rows]
    counts = [[sum(view.counts[r][j] for r in group) for j in range(len(classes))] for group in rows]
    figure = go.Figure(
        go.Heatmap(
            z=shares,
            x=[escape(c) for c in classes],
            y=names,
            customdata=counts,
            colorscale=SHARE_COLOURS,
            zmin=0,
            colorbar={"title": {"text": "share"}, "tickformat": ".0%"},
            texttemplate="%{z:.0%}" if len(shares) * len(classes) <= 600 else None,
            hovertemplate="%{y}<br>%{x}: %{z:.0%} (%{customdata} documents)<extra></extra>",
            xgap=1,
            ygap=1,
            meta={"topics": shown},  # each row's topic (the page frames a topic chosen in its list)
        )
    )
    more = _classes_left_out(view, classes)
    tick_room = 7 * min(40, max((len(c) for c in classes), default=0))  # class names upright above the columns
    figure.update_layout(
        title={
            "text": f"Topics per {escape(view.column)}{more}: share of each {escape(view.column)}'s documents",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 16},
        },
        template="plotly_white",
        xaxis={"side": "top", "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"t": 70 + tick_room},
        height=max(520, 160 + tick_room + 22 * len(names)),
    )
    return figure


COUNT_HOVER = "%{fullData.name}<br>%{customdata}: %{y} documents<extra></extra>"
SHARE_HOVER = "%{fullData.name}<br>%{customdata}: %{y:.1%} of the documents<extra></extra>"


def topics_over_time(topic_map: TopicMap, *, max_topics: int = MAX_TOPICS) -> go.Figure:
    """Lines: documents per time bin for each of the largest topics, and a switch to each topic's
    share of the bin's documents (a topic that grows while the volume falls is seen growing)."""
    view = topic_map.over_time
    if view is None:
        raise NotInMap("this map has no topics over time: submit the job with params.time_column")
    shown, _ = _split_topics(topic_map, view.topics, max_topics)
    dates = [datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d") for start in view.bin_starts]
    totals = [sum(column) for column in zip(*view.counts, strict=True)]  # every topic's, outliers too
    counts = [view.counts[view.topics.index(topic)] for topic in shown]
    shares = [[round(c / t, 4) if t else 0.0 for c, t in zip(row, totals, strict=True)] for row in counts]
    figure = go.Figure()
    names = topic_names(topic_map, shown)
    for topic, row, name in zip(shown, counts, names, strict=True):
        figure.add_trace(
            go.Scatter(
                name=name,
                x=dates,
                y=row,
                customdata=view.bins,
                mode="lines+markers" if len(dates) <= 60 else "lines",
                line={"color": topic_colour(topic), "width": 2},
                hovertemplate=COUNT_HOVER,
                meta={"topic": topic},
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
        updatemenus=[_counts_or_shares(counts, shares, view.unit)],
    )
    return figure


def _counts_or_shares(counts: list[list[int]], shares: list[list[float]], unit: str) -> dict[str, object]:
    """Two buttons above the lines: documents per bin, or the share of the bin's documents."""

    def button(label: str, y: object, hover: str, title: str, tick_format: str) -> dict[str, object]:
        restyle = {"y": y, "hovertemplate": [hover] * len(counts)}
        return {
            "label": label,
            "method": "update",
            "args": [restyle, {"yaxis.title.text": title, "yaxis.tickformat": tick_format}],
        }

    share_title = f"share of the {unit}'s documents"
    buttons = [
        button("Documents", counts, COUNT_HOVER, "documents", ""),
        button(f"Share of each {unit}", shares, SHARE_HOVER, share_title, ".0%"),
    ]
    return {
        "type": "buttons",
        "direction": "right",
        "active": 0,
        "x": 1,
        "xanchor": "right",
        "y": 1.12,
        "yanchor": "bottom",
        "buttons": buttons,
    }


def _split_topics(topic_map: TopicMap, view_topics: list[int], max_topics: int) -> tuple[list[int], list[int]]:
    """The largest real topics of the view (map order is largest first), and the others."""
    in_view = set(view_topics)
    ordered = [t.id for t in topic_map.topics if t.id in in_view and t.id >= 0]
    ordered += [t for t in view_topics if t not in set(ordered)]
    return ordered[:max_topics], ordered[max_topics:]


def _classes_left_out(view: PerClass, classes: list[str]) -> str:
    """The note on classes not drawn, e.g. " (the 30 largest of 56 section values)": classes, not topics."""
    if len(view.classes) <= len(classes):
        return ""
    return f" (the {len(classes)} largest of {len(view.classes)} {escape(view.column)} values)"
