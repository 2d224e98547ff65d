from __future__ import annotations

import json

import pytest

from api.figures import build_figure, document_map, snippet, to_json, to_standalone_html, topic_sizes, topic_terms
from tests.api.maps import XSS, small_map


def test_document_map_has_a_scattergl_trace_per_topic_and_grey_outliers() -> None:
    topic_map, texts = small_map()
    figure = json.loads(to_json(document_map(topic_map, texts)))
    points = [t for t in figure["data"] if t["type"] == "scattergl"]
    assert [t["meta"]["topic"] for t in points] == [0, 1, 2, -1]
    assert points[-1]["marker"]["color"] == "#b0b0b0"
    assert sum(len(t["x"]) for t in points) == 9
    labels = [t for t in figure["data"] if t.get("mode") == "text"]
    assert len(labels) == 1 and labels[0]["text"][0] == "rocket · orbit"


def test_user_strings_are_escaped_in_the_figure() -> None:
    topic_map, texts = small_map()
    figures = [document_map(topic_map, texts), topic_sizes(topic_map), topic_terms(topic_map)]
    payload = "".join(json.dumps(json.loads(to_json(f)), ensure_ascii=False) for f in figures)
    assert "<script>" not in payload and "<img" not in payload
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in payload


def test_standalone_html_inlines_plotly_and_escapes_documents() -> None:
    topic_map, texts = small_map()
    page = to_standalone_html(document_map(topic_map, texts), title=f"t {XSS}")
    assert "<script src=" not in page and "plotly.js" in page.lower() and len(page) > 1_000_000
    assert XSS not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_hover_snippets_are_short() -> None:
    text = "word " * 200
    assert len(snippet(text)) <= 201
    assert snippet("a  b\n c") == "a b c"


def test_sizes_and_terms_figures() -> None:
    topic_map, _ = small_map()
    sizes = json.loads(to_json(build_figure("sizes", topic_map)))
    assert sizes["data"][0]["x"] == [3, 3, 2, 1]
    terms = json.loads(to_json(build_figure("terms", topic_map)))
    assert len(terms["data"]) == 3 and terms["data"][0]["y"] == ["rocket", "orbit"]
    with pytest.raises(ValueError, match="unknown figure kind"):
        build_figure("pie", topic_map)
