"""Static pictures: a fixed view, labels placed without overlap, and a real PNG from kaleido."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageStat

from tests.integration.synthetic import synthetic_map
from topicmap.render.figures import document_map
from topicmap.render.static import for_picture, place_labels, text_width, to_image


def boxes(annotations: list[dict[str, object]], picture: object) -> list[tuple[float, float, float, float]]:
    layout = picture.layout  # type: ignore[attr-defined]
    (x0, x1), (y0, y1) = layout.xaxis.range, layout.yaxis.range
    width, height = 1600 - 20, 1100 - 60
    out = []
    for a in annotations:
        px = (a["x"] - x0) / (x1 - x0) * width + a["ax"] + a.get("xshift", 0)  # type: ignore[operator]
        py = (y1 - a["y"]) / (y1 - y0) * height + a["ay"] - a.get("yshift", 0)  # type: ignore[operator]
        half, tall = text_width(a["text"], a["font"]["size"]) / 2, a["font"]["size"] * 0.65  # type: ignore[index, arg-type]
        out.append((px - half, py - tall, px + half, py + tall))
    return out


def test_chinese_and_japanese_characters_are_measured_a_font_size_wide() -> None:
    """Counted as Latin letters, a Japanese label was thought 40% narrower than drawn: labels overlapped."""
    assert text_width("ライブラリ · 共有", 10) == pytest.approx((7 * 1.0 + 3 * 0.62) * 10)
    assert text_width("library · shared", 10) == pytest.approx(16 * 0.62 * 10)


def test_a_picture_of_a_map_places_its_labels_apart_themes_first() -> None:
    topic_map = synthetic_map(5000, 150, themes=6)
    picture = for_picture(document_map(topic_map), 1600, 1100)
    annotations = [a.to_plotly_json() for a in picture.layout.annotations]
    assert len(annotations) >= 20 and not picture.layout.showlegend
    assert sum(a["text"].startswith("<b>theme") for a in annotations) >= 4  # the coarse themes are named
    placed = boxes(annotations, picture)
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    (x0, x1), (y0, y1) = picture.layout.xaxis.range, picture.layout.yaxis.range
    assert abs((x1 - x0) / 1580 - (y1 - y0) / 1040) < 1e-9  # one data unit is as wide as it is tall
    assert min(topic_map.documents.x) > x0 and max(topic_map.documents.y) < y1


def test_labels_of_topics_at_the_edges_are_slid_inside_the_picture() -> None:
    corners = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 5.0), (5.0, 5.0)]
    labels = {
        "text": [f"topic at ({x:g}, {y:g}) · wider than its corner" for x, y in corners],
        "x": [x for x, _ in corners], "y": [y for _, y in corners], "size": [14.0] * len(corners),
    }  # fmt: skip
    width, height = 700.0, 400.0
    annotations = place_labels(labels, [-0.2, 10.2], [-0.2, 10.2], width, height)
    assert [a["text"] for a in annotations] == labels["text"]  # every one drawn (none fitted before)
    placed = []
    for a in annotations:
        px = (a["x"] + 0.2) / 10.4 * width + a["ax"] + a["xshift"]
        py = (10.2 - a["y"]) / 10.4 * height + a["ay"] - a["yshift"]
        half, tall = text_width(a["text"], 14.0) / 2, 14.0 * 0.65
        assert 0 <= px - half and px + half <= width and 0 <= py - tall and py + tall <= height, a
        placed.append((px - half, py - tall, px + half, py + tall))
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    slid = annotations[0]  # the bottom-left corner: moved in, still over its topic, so no leader line
    assert not slid["showarrow"] and slid["xshift"] > 0 and slid["yshift"] > 0


def test_a_png_is_drawn_by_kaleido_and_chromium() -> None:
    topic_map = synthetic_map(2000, 30)
    picture = Image.open(io.BytesIO(to_image(document_map(topic_map), "png", width=800, height=600)))
    assert picture.format == "PNG" and picture.size == (800, 600)
    assert ImageStat.Stat(picture.convert("L")).var[0] > 100  # not blank
