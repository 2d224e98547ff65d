"""The semantic axes figure: WebGL points, topics labelled, every user string escaped."""

from __future__ import annotations

import json

import numpy as np

from tests.api.maps import XSS, small_map
from topicmap.axes import Axis, topic_places
from topicmap.render.axes import axes_figure
from topicmap.render.pages import to_json
from topicmap.render.static import for_picture, text_width


def test_two_axes_draw_documents_as_webgl_points_and_label_topics() -> None:
    topic_map, _ = small_map()
    topic_map.documents.id[0] = XSS
    x = np.linspace(-0.2, 0.2, 9).astype(np.float32)
    y = np.linspace(0.1, -0.1, 9).astype(np.float32)
    places = topic_places(topic_map.documents.topic, x, y)
    figure = json.loads(
        to_json(axes_figure(topic_map, Axis("<b>problem</b>", "praise"), x, Axis("cheap", "premium"), y, places))
    )
    points, marks = figure["data"]
    assert points["type"] == "scattergl" and marks["mode"] == "markers"  # labels are placed, not drawn as text
    meta = figure["layout"]["meta"]
    assert {k: meta[k] for k in ("kind", "x", "y")} == {
        "kind": "axes",
        "x": ["<b>problem</b>", "praise"],
        "y": ["cheap", "premium"],
    }
    rendered = json.dumps(figure)
    assert XSS not in rendered and "<b>problem</b>" not in json.dumps(figure["layout"]["xaxis"])
    assert "&lt;script&gt;" in rendered  # the id and the label, escaped
    escaped = sorted(t.label.replace("<", "&lt;").replace(">", "&gt;") for t in topic_map.topics if t.id >= 0)
    assert sorted(marks["text"]) == sorted(meta["labels"]["text"]) == escaped  # no coarse themes: map positions
    assert set(meta["labels"]["tier"]) == {1} and meta["labels"]["x"] == marks["x"]


def test_a_picture_of_the_axes_places_topic_labels_apart_and_keeps_the_axis_titles() -> None:
    """Topics often sit close together on semantic axes: their labels, drawn as text beside each
    marker, lay on top of each other. A picture places them as the map's are placed."""
    topic_map, _ = small_map()
    x = np.full(9, 0.01, dtype=np.float32) + np.linspace(0, 0.002, 9).astype(np.float32)  # all close together
    y = np.full(9, -0.02, dtype=np.float32) + np.linspace(0, 0.002, 9).astype(np.float32)
    places = topic_places(topic_map.documents.topic, x, y)
    figure = axes_figure(topic_map, Axis("problem", "praise"), x, Axis("cheap", "premium"), y, places)
    picture = for_picture(figure, 800, 600)
    assert picture.layout.margin.l == figure.layout.margin.l and picture.layout.xaxis.title.text  # titles stay
    annotations = [a.to_plotly_json() for a in picture.layout.annotations]
    assert len(annotations) == len(places) >= 2
    (x0, x1), (y0, y1) = picture.layout.xaxis.range, picture.layout.yaxis.range
    width = 800 - figure.layout.margin.l - figure.layout.margin.r
    height = 600 - figure.layout.margin.t - figure.layout.margin.b
    boxes = []
    for a in annotations:
        px = (a["x"] - x0) / (x1 - x0) * width + a["ax"] + a["xshift"]
        py = (y1 - a["y"]) / (y1 - y0) * height + a["ay"] - a["yshift"]
        half, tall = text_width(a["text"], a["font"]["size"]) / 2, a["font"]["size"] * 0.65
        boxes.append((px - half, py - tall, px + half, py + tall))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_one_axis_draws_a_strip_per_topic_largest_first() -> None:
    topic_map, _ = small_map()
    x = np.linspace(-0.2, 0.2, 9).astype(np.float32)
    places = topic_places(topic_map.documents.topic, x, None)
    figure = json.loads(to_json(axes_figure(topic_map, Axis("problem", "praise"), x, None, None, places)))
    ticks = figure["layout"]["yaxis"]["ticktext"]
    assert len(ticks) == 3 and ticks[-1] == "bread · oven"  # the smallest topic last
    assert figure["layout"]["meta"]["y"] is None
