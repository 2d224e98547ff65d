"""The semantic axes figure: WebGL points, topics labelled, every user string escaped."""

from __future__ import annotations

import json

import numpy as np

from tests.api.maps import XSS, small_map
from topicmap.axes import Axis, topic_places
from topicmap.render.axes import axes_figure
from topicmap.render.pages import to_json


def test_two_axes_draw_documents_as_webgl_points_and_label_topics() -> None:
    topic_map, _ = small_map()
    topic_map.documents.id[0] = XSS
    x = np.linspace(-0.2, 0.2, 9).astype(np.float32)
    y = np.linspace(0.1, -0.1, 9).astype(np.float32)
    places = topic_places(topic_map.documents.topic, x, y)
    figure = json.loads(
        to_json(axes_figure(topic_map, Axis("<b>problem</b>", "praise"), x, Axis("cheap", "premium"), y, places))
    )
    points, labels = figure["data"]
    assert points["type"] == "scattergl" and labels["mode"] == "markers+text"
    assert figure["layout"]["meta"] == {"kind": "axes", "x": ["<b>problem</b>", "praise"], "y": ["cheap", "premium"]}
    rendered = json.dumps(figure)
    assert XSS not in rendered and "<b>problem</b>" not in json.dumps(figure["layout"]["xaxis"])
    assert "&lt;script&gt;" in rendered  # the id and the label, escaped
    assert sorted(labels["text"]) == sorted(
        t.label.replace("<", "&lt;").replace(">", "&gt;") for t in topic_map.topics if t.id >= 0
    )


def test_one_axis_draws_a_strip_per_topic_largest_first() -> None:
    topic_map, _ = small_map()
    x = np.linspace(-0.2, 0.2, 9).astype(np.float32)
    places = topic_places(topic_map.documents.topic, x, None)
    figure = json.loads(to_json(axes_figure(topic_map, Axis("problem", "praise"), x, None, None, places)))
    ticks = figure["layout"]["yaxis"]["ticktext"]
    assert len(ticks) == 3 and ticks[-1] == "bread · oven"  # the smallest topic last
    assert figure["layout"]["meta"]["y"] is None
