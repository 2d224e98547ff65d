"""Plotly figures of a topic map: pure functions of the stored :class:`TopicMap` (and texts).

Every user-derived string (document text, ids, labels, terms) is HTML-escaped before it reaches
Plotly, whose hover and legend text understand a subset of HTML.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from topicmap.render.style import DISCRETE_PALETTE, PALETTE, escape, point_size, row_names, snippet, topic_colour
from topicmap.schemas import TopicMap

MAX_LABEL_CANDIDATES = 500
THEME_LABELS_FROM = 8
"""The fewest topics whose map also names its coarse themes. On a smaller map every topic's label
fits, and a theme's ("app, delivery and 1 more" over four topics) says nothing they do not."""
VIEW_QUANTILE = 0.005


class UnknownLevel(ValueError):
    """The map has no such hierarchy level."""


def map_levels(topic_map: TopicMap) -> list[str]:
    return list(topic_map.hierarchy.levels) if topic_map.hierarchy else ["fine"]


def level_groups(topic_map: TopicMap, level: str | None) -> tuple[list[int], list[tuple[int, str, float, float, int]]]:
    """Each document's group at ``level`` and the groups (id, label, x, y, size); fine = the topics."""
    docs = topic_map.documents
    if level in (None, "fine"):
        return list(docs.topic), [(t.id, t.label, t.x, t.y, t.size) for t in topic_map.topics]
    if topic_map.hierarchy is None or level not in topic_map.hierarchy.levels:
        raise UnknownLevel(f"this map has no level {level!r}; its levels are {', '.join(map_levels(topic_map))}")
    nodes = [n for n in topic_map.hierarchy.nodes if n.level == level]
    of_topic = {topic: number for number, node in enumerate(nodes) for topic in node.topics}
    groups = [(number, node.label, node.x, node.y, node.size) for number, node in enumerate(nodes)]
    return [of_topic.get(topic, -1) for topic in docs.topic], groups


def document_map(
    topic_map: TopicMap,
    texts: Sequence[str] | None = None,
    *,
    title: str = "Topic map",
    max_labels: int = 30,
    max_traces: int = 60,
    level: str | None = None,
) -> go.Figure:
    """Every document as a point: one ``scattergl`` trace per topic, outliers grey, labels at centroids.

    Only the ``max_labels`` largest topics get a label on the map (the rest would pile up on each
    other); every topic is in the legend and in the hover text. With ``level`` (coarse, medium),
    points are coloured and labelled by the hierarchy node containing their topic instead.

    Documents the clustering flagged as outliers (assigned to a topic or not) form a grey trace
    of their own so the dense core of each topic stands out; their hover names their topic.

    A map of more than ``max_traces`` topics draws every topic's points as one trace, coloured per
    point (``meta.topic`` is "all"), without a legend: the topic list beside the map takes its place.

    Positions and each point's ``customdata`` (its row in ``documents``) are binary arrays in the
    figure JSON. Without ``texts`` (and without ``documents.text``) the hover names the topic only,
    from one template per trace: the page fetches the text by id (POST …/documents/by-ids), so
    the figure holds nothing per point but its position and row.
    """
    docs = topic_map.documents
    texts = texts if texts is not None else docs.text
    group_of, groups = level_groups(topic_map, level)
    labels = {group: label for group, label, *_ in groups}
    topic_labels = {t.id: t.label for t in topic_map.topics}
    xs, ys = np.asarray(docs.x, dtype=np.float32), np.asarray(docs.y, dtype=np.float32)
    trace_of = np.where(np.asarray(docs.outlier, dtype=bool), -1, np.asarray(group_of, dtype=np.int64))
    order = np.argsort(trace_of, kind="stable")  # rows grouped by trace, in document order within one
    keys, starts = np.unique(trace_of[order], return_index=True)
    members = dict(zip(keys.tolist(), np.split(order, starts[1:]), strict=True))

    def hover(index: int) -> str:
        topic = docs.topic[index]
        head = f"<b>{escape(topic_labels.get(topic, str(topic)))}</b>" + (" (outlier)" if docs.outlier[index] else "")
        if level not in (None, "fine"):
            head = f"{escape(labels.get(group_of[index], ''))} › {head}"
        body = snippet(texts[index]) if texts is not None else ""
        return f"{head}<br>id: {escape(docs.id[index])}<br>{body}"

    def hover_fields(topic: int, rows: npt.NDArray[np.intp]) -> dict[str, Any]:
        if texts is None:  # one template per trace, nothing per point: the page fetches texts by id
            name = escape(labels.get(topic, "")) if topic >= 0 else "Outlier"
            return {"hovertemplate": f"<b>{name}</b><extra></extra>"}
        return {"hovertext": [hover(i) for i in rows.tolist()], "hovertemplate": "%{hovertext}<extra></extra>"}

    noun = "topic" if level in (None, "fine") else "theme"
    shown = sorted(group for group in members if group >= 0)
    names = dict(zip(shown, row_names([labels.get(group, "") for group in shown], shown, noun), strict=True))
    figure = go.Figure()
    many = len(shown) > max_traces
    if many:  # one trace for every topic's points, coloured per point: thousands of traces do not draw
        core = order[trace_of[order] >= 0]
        figure.add_trace(
            go.Scattergl(
                x=xs[core],
                y=ys[core],
                mode="markers",
                name="Documents",
                showlegend=False,
                marker={
                    "size": 3,
                    "color": (trace_of[core] % len(PALETTE)).astype(np.uint8),
                    "colorscale": DISCRETE_PALETTE,
                    "cmin": -0.5,
                    "cmax": len(PALETTE) - 0.5,
                    "opacity": 0.8,
                },
                **(hover_fields(0, core) if texts is not None else {"hoverinfo": "none"}),
                customdata=core.astype(np.int32),
                meta={"topic": "all"},
            )
        )
    for topic in sorted(members, key=lambda t: (t < 0, t)):
        if many and topic >= 0:
            continue
        rows = members[topic]
        figure.add_trace(
            go.Scattergl(
                x=xs[rows],
                y=ys[rows],
                mode="markers",
                name=names[topic] if topic >= 0 else "Outliers",
                legendgroup=str(topic),
                marker={
                    "size": point_size(len(xs)),
                    "color": topic_colour(topic),
                    "opacity": 0.5 if topic < 0 else 0.8,
                },
                **hover_fields(topic, rows),
                customdata=rows.astype(np.int32),
                meta={"topic": topic},
            )
        )
    legend_title = "Topics" if level in (None, "fine") else f"{level.capitalize()} themes"
    candidates = label_candidates(topic_map, groups, level)
    view = robust_view(xs, ys)
    figure.update_layout(
        title=escape(title),
        template="plotly_white",
        xaxis={"visible": False, **({"range": view[0]} if view else {})},
        yaxis={"visible": False, "scaleanchor": "x", **({"range": view[1]} if view else {})},
        legend={
            "itemsizing": "constant",
            "title": {"text": legend_title},
        },
        dragmode="pan",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        showlegend=not many,
        meta={"labels": candidates, "palette": list(PALETTE)},
        annotations=first_labels(candidates, max_labels),
    )
    return figure


def robust_view(
    xs: npt.NDArray[np.floating[Any]], ys: npt.NDArray[np.floating[Any]]
) -> tuple[list[float], list[float]] | None:
    """Axis ranges around the bulk of the points (0.5th to 99.5th percentile, padded 5%) when a few
    far points would otherwise shrink the map to a corner of the view; None when they would not.
    Zooming out (or double-click) still reaches every point."""
    if xs.size < 200:
        return None
    ranges = []
    for values in (xs, ys):
        low, high = np.quantile(values, [VIEW_QUANTILE, 1 - VIEW_QUANTILE])
        pad = (high - low) * 0.05 or 1.0
        ranges.append([float(low - pad), float(high + pad)])
    full = [float(np.ptp(xs)), float(np.ptp(ys))]
    if all(f <= 1.3 * (r[1] - r[0]) for f, r in zip(full, ranges, strict=True)):
        return None
    return ranges[0], ranges[1]


def label_candidates(
    topic_map: TopicMap, groups: list[tuple[int, str, float, float, int]], level: str | None, *, themes: bool = True
) -> dict[str, list[Any]]:
    """Every label that may be shown, most important first: the coarse themes when the map shows
    topics and has a hierarchy (tier 0; not those of one topic, unless a person named them; never
    with ``themes=False``: the semantic axes place topics elsewhere), then the groups, largest first
    (tier 1); font size follows size. topicmap/render/labels.js shows those that fit at each zoom."""
    candidates: list[tuple[str, float, float, int, int]] = []
    hierarchy = topic_map.hierarchy if themes else None
    if level in (None, "fine") and hierarchy is not None and "coarse" in hierarchy.levels:
        # A theme of one topic named by its terms would repeat that topic's label beside it.
        nodes = (n for n in hierarchy.nodes if n.level == "coarse")
        many = sum(1 for t in topic_map.topics if t.id >= 0) >= THEME_LABELS_FROM
        shown = (n for n in nodes if (many and len(n.topics) > 1) or n.named_by == "person")
        coarse = sorted(shown, key=lambda n: -n.size)
        candidates += [(f"<b>{escape(n.label)}</b>", n.x, n.y, n.size, 0) for n in coarse]
    by_size = sorted((g for g in groups if g[0] >= 0), key=lambda g: -g[4])[:MAX_LABEL_CANDIDATES]
    candidates += [(escape(label), x, y, size, 1) for _, label, x, y, size in by_size]
    largest = max((c[3] for c in candidates), default=1) or 1
    return {
        "text": [c[0] for c in candidates],
        "x": [c[1] for c in candidates],
        "y": [c[2] for c in candidates],
        "size": [round(10 + 7 * math.sqrt(c[3] / largest) + (2 if c[4] == 0 else 0), 1) for c in candidates],
        "tier": [c[4] for c in candidates],
    }


def first_labels(labels: dict[str, list[Any]], max_labels: int) -> list[dict[str, Any]]:
    """Annotations for renderers that run no script (topicmap/render/labels.js replaces them): the largest
    topics at their centres."""
    topics = [k for k, tier in enumerate(labels["tier"]) if tier == 1][:max_labels]
    return [
        {
            "x": labels["x"][k],
            "y": labels["y"][k],
            "text": labels["text"][k],
            "showarrow": False,
            "font": {"size": labels["size"][k], "color": "#1d1d1f"},
            "bgcolor": "rgba(255,255,255,0.72)",
        }
        for k in topics
    ]


def topic_sizes(topic_map: TopicMap, *, max_topics: int = 50) -> go.Figure:
    """Horizontal bars: documents per topic, largest first."""
    topics = sorted(topic_map.topics, key=lambda t: -t.size)[:max_topics]
    figure = go.Figure(
        go.Bar(
            x=[t.size for t in topics],
            y=row_names([t.label for t in topics], [t.id for t in topics]),
            orientation="h",
            marker={"color": [topic_colour(t.id) for t in topics]},
            hovertemplate="%{y}: %{x} documents<extra></extra>",
        )
    )
    figure.update_layout(
        title="Topic sizes",
        template="plotly_white",
        yaxis={"autorange": "reversed"},
        height=max(300, 22 * len(topics) + 100),
    )
    return figure


def topic_terms(topic_map: TopicMap, *, max_topics: int = 12, n_terms: int = 8, columns: int = 4) -> go.Figure:
    """One small bar chart of c-TF-IDF term weights per topic (the largest topics)."""
    topics = [t for t in topic_map.topics if t.id >= 0][:max_topics] or topic_map.topics[:max_topics]
    rows = max(1, -(-len(topics) // columns))
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[escape(t.label) for t in topics],
        horizontal_spacing=0.12,
        vertical_spacing=0.5 / rows,
    )
    for index, topic in enumerate(topics):
        terms = topic.terms[:n_terms]
        figure.add_trace(
            go.Bar(
                x=[t.weight for t in terms],
                y=[escape(t.term) for t in terms],
                orientation="h",
                marker={"color": topic_colour(topic.id)},
                showlegend=False,
                hovertemplate="%{y}: %{x:.4f}<extra></extra>",
            ),
            row=index // columns + 1,
            col=index % columns + 1,
        )
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(title="Top terms per topic", template="plotly_white", height=260 * rows + 80)
    return figure


def topic_tree(topic_map: TopicMap) -> go.Figure:
    """The hierarchy as a sunburst: the root in the middle, coarse themes around it, topics outside.

    Click a theme to zoom into it; hover shows its size and top terms.
    """
    if topic_map.hierarchy is None:
        raise UnknownLevel("this map has no hierarchy (it was made by an earlier version); map it again")
    nodes = topic_map.hierarchy.nodes
    coarse = [n.id for n in nodes if n.parent == "root"]
    colour = {node_id: PALETTE[i % len(PALETTE)] for i, node_id in enumerate(coarse)}
    parent = {n.id: n.parent for n in nodes}

    def branch(node_id: str) -> str:
        while parent.get(node_id) not in (None, "root"):
            node_id = parent[node_id] or "root"
        return colour.get(node_id, "#ffffff")

    figure = go.Figure(
        go.Sunburst(
            ids=[n.id for n in nodes],
            labels=[escape(n.label) for n in nodes],
            parents=[n.parent or "" for n in nodes],
            values=[n.size for n in nodes],
            branchvalues="total",
            marker={"colors": [branch(n.id) for n in nodes]},
            hovertext=[escape(", ".join(t.term for t in n.terms[:6])) for n in nodes],
            hovertemplate="<b>%{label}</b><br>%{value} documents<br>%{hovertext}<extra></extra>",
            insidetextorientation="radial",
            maxdepth=3,
        )
    )
    figure.update_layout(title="Topics from coarse to fine", template="plotly_white", height=720, margin={"t": 50})
    return figure
