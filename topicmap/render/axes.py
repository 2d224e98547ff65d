"""The semantic axes figure (topicmap/axes.py): documents as WebGL points, topics labelled.

Two axes: a scatter of every document at its two coordinates, each topic marked at the mean of its
documents, its label placed apart from the others as on the map (``layout.meta.labels``). One axis:
a strip per topic (the largest first), its documents along the axis, the topic's mean marked. Hover
names the document's id and topic; every user string is escaped (Plotly reads pseudo-HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from topicmap.axes import Axis, TopicPlace
from topicmap.render.figures import first_labels, label_candidates
from topicmap.render.style import OUTLIER_COLOUR, escape, topic_colour
from topicmap.schemas import TopicMap

MAX_LABELLED = 25
MAX_STRIPS = 30


def axes_figure(
    topic_map: TopicMap,
    x_axis: Axis,
    x: npt.NDArray[np.float32],
    y_axis: Axis | None,
    y: npt.NDArray[np.float32] | None,
    places: Sequence[TopicPlace],
) -> go.Figure:
    docs = topic_map.documents
    topics = np.asarray(docs.topic)
    labels = {t.id: t.label for t in topic_map.topics}
    sizes = {t.id: t.size for t in topic_map.topics}
    ids = np.asarray([escape(str(i)) for i in docs.id], dtype=object)
    names = np.asarray([escape(labels.get(int(t), "outliers")) for t in topics], dtype=object)
    colours = [OUTLIER_COLOUR if t < 0 else topic_colour(int(t)) for t in topics.tolist()]
    figure = go.Figure()
    meta: dict[str, Any] = {"kind": "axes", "x": list(x_axis.poles), "y": list(y_axis.poles) if y_axis else None}
    if y is None or y_axis is None:
        strips = sorted((p for p in places), key=lambda p: -sizes.get(p.topic, 0))[:MAX_STRIPS]
        row_of = {p.topic: i for i, p in enumerate(strips)}
        rows = np.asarray([row_of.get(int(t), -1) for t in topics.tolist()])
        shown = rows >= 0
        jitter = np.random.default_rng(0).uniform(-0.3, 0.3, size=len(rows))
        figure.add_trace(
            points(x[shown], rows[shown] + jitter[shown], ids[shown], names[shown], colours, shown, "%{x:.3f}")
        )
        figure.add_trace(
            go.Scatter(
                x=[p.x for p in strips],
                y=list(range(len(strips))),
                mode="markers",
                marker={"symbol": "line-ns-open", "size": 18, "line": {"width": 3}, "color": "#222"},
                hovertemplate="%{text}: mean %{x:.3f}<extra></extra>",
                text=[escape(labels.get(p.topic, "")) for p in strips],
                showlegend=False,
            )
        )
        figure.update_yaxes(
            tickvals=list(range(len(strips))),
            ticktext=[escape(labels.get(p.topic, "")) for p in strips],
            autorange="reversed",
        )
    else:
        every = np.ones(len(topics), dtype=bool)
        figure.add_trace(points(x, y, ids, names, colours, every, "(%{x:.3f}, %{y:.3f})"))
        labelled = sorted(places, key=lambda p: -sizes.get(p.topic, 0))[:MAX_LABELLED]
        figure.add_trace(
            go.Scatter(
                x=[p.x for p in labelled],
                y=[p.y for p in labelled],
                mode="markers",
                text=[escape(labels.get(p.topic, "")) for p in labelled],
                marker={"size": 9, "color": "#222", "symbol": "diamond"},
                hovertemplate="%{text}<br>(%{x:.3f}, %{y:.3f})<extra></extra>",
                showlegend=False,
            )
        )
        # The labels are placed apart as on the map (topicmap/render/labels.js; static.py for pictures).
        groups = [(p.topic, labels.get(p.topic, ""), p.x, p.y or 0.0, sizes.get(p.topic, 0)) for p in labelled]
        meta["labels"] = label_candidates(topic_map, groups, None, themes=False)
        figure.update_layout(annotations=first_labels(meta["labels"], len(labelled)))
        figure.update_yaxes(title={"text": axis_title(y_axis)}, zeroline=True, zerolinecolor="#999")
    figure.update_xaxes(title={"text": axis_title(x_axis)}, zeroline=True, zerolinecolor="#999")
    figure.update_layout(
        title={"text": "Semantic axes"},
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        meta=meta,
    )
    return figure


def points(
    x: npt.NDArray[np.float32],
    y: npt.NDArray[np.float32] | npt.NDArray[np.float64],
    ids: npt.NDArray[np.object_],
    names: npt.NDArray[np.object_],
    colours: list[str],
    shown: npt.NDArray[np.bool_],
    where: str,
) -> go.Scattergl:
    return go.Scattergl(
        x=x,
        y=y,
        mode="markers",
        marker={"size": 4, "opacity": 0.6, "color": [c for c, s in zip(colours, shown.tolist(), strict=True) if s]},
        customdata=np.stack([ids, names], axis=1) if len(ids) else None,
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>" + where + "<extra></extra>",
        showlegend=False,
    )


def axis_title(axis: Axis) -> str:
    return f"← {escape(axis.negative)}  ·  {escape(axis.positive)} →"
