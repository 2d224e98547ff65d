from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from tests.api.maps import XSS, small_map
from tests.integration.synthetic import synthetic_hierarchy, synthetic_map
from topicmap.render.figures import THEME_LABELS_FROM, document_map, label_candidates, topic_sizes, topic_terms
from topicmap.render.pages import build_figure, to_json, to_standalone_html
from topicmap.render.style import snippet
from topicmap.schemas import TopicMap


def test_document_map_has_a_scattergl_trace_per_topic_and_grey_outliers() -> None:
    topic_map, texts = small_map()
    figure = json.loads(to_json(document_map(topic_map, texts)))
    points = [t for t in figure["data"] if t["type"] == "scattergl"]
    assert [t["meta"]["topic"] for t in points] == [0, 1, 2, -1]
    assert points[-1]["marker"]["color"] == "#b0b0b0"
    assert all(t["x"]["dtype"] == "f4" and t["customdata"]["dtype"] == "i4" for t in points)  # binary arrays
    rows = [row for t in points for row in decode(t["customdata"])]
    assert sorted(rows) == list(range(9))  # customdata: each point's row in documents
    outlier_rows = decode(points[-1]["customdata"])
    assert all(topic_map.documents.outlier[row] for row in outlier_rows)
    assert decode(points[0]["x"]) == pytest.approx(
        [topic_map.documents.x[row] for row in decode(points[0]["customdata"])]
    )
    assert texts[outlier_rows[0]][:10] in points[-1]["hovertext"][0]
    candidates = figure["layout"]["meta"]["labels"]  # placed by topicmap/render/labels.js at every zoom
    assert candidates["text"][0] == "rocket · orbit" and candidates["tier"] == [1, 1, 1]
    assert candidates["size"][0] > candidates["size"][2]  # the font follows the topic's size
    assert figure["layout"]["annotations"][0]["text"] == "rocket · orbit"  # drawn without a script too


def test_a_theme_of_one_topic_does_not_repeat_its_label() -> None:
    topic_map = synthetic_map(400, THEME_LABELS_FROM, themes=3)
    assert topic_map.hierarchy is not None
    coarse = [n for n in topic_map.hierarchy.nodes if n.level == "coarse"]
    alone, *others = sorted(coarse, key=lambda n: len(n.topics))
    alone.topics, others[0].topics = alone.topics[:1], others[0].topics + alone.topics[1:]
    themes = theme_labels(topic_map)
    assert sorted(themes) == sorted(f"<b>{n.label}</b>" for n in others)  # not the theme of one topic
    alone.named_by, alone.label = "person", "Space programme"
    assert "<b>Space programme</b>" in theme_labels(topic_map)  # a name a person gave is shown


def test_a_map_of_a_few_topics_names_no_themes_over_them() -> None:
    topic_map, _ = small_map()  # three topics: each topic's label fits, and a theme's repeats them
    topic_map.hierarchy = synthetic_hierarchy([t for t in topic_map.topics if t.id >= 0], 2)
    pair = next(n for n in topic_map.hierarchy.nodes if n.level == "coarse" and len(n.topics) == 2)
    assert theme_labels(topic_map) == []
    pair.named_by, pair.label = "person", "Space and food"
    assert theme_labels(topic_map) == ["<b>Space and food</b>"]  # a name a person gave is shown
    many = synthetic_map(400, THEME_LABELS_FROM, themes=3)
    assert len(theme_labels(many)) == 3


def theme_labels(topic_map: TopicMap) -> list[str]:
    """The theme labels (tier 0) a map of topics offers to draw."""
    groups = [(t.id, t.label, t.x, t.y, t.size) for t in topic_map.topics]
    candidates = label_candidates(topic_map, groups, None)
    return [text for text, tier in zip(candidates["text"], candidates["tier"], strict=True) if tier == 0]


def decode(array: dict[str, str]) -> list[float]:
    """A plotly binary array ({"dtype", "bdata"}) as a list."""
    return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()  # type: ignore[no-any-return]


def test_without_texts_the_hover_is_one_template_per_topic() -> None:
    topic_map, _ = small_map()
    figure = json.loads(to_json(document_map(topic_map)))
    points = [t for t in figure["data"] if t["type"] == "scattergl"]
    assert not any("hovertext" in t for t in points)  # nothing per point but position and row
    assert points[0]["hovertemplate"] == "<b>rocket · orbit</b><extra></extra>"
    assert points[-1]["hovertemplate"].startswith("<b>Outlier")


def test_two_topics_of_one_name_are_two_legend_entries_that_say_which_is_which() -> None:
    """A person named two topics "Billing": the map's legend listed "Billing" twice."""
    topic_map, _ = small_map()
    for topic in topic_map.topics[:2]:
        topic.label = "Billing"
    names = [trace.name for trace in document_map(topic_map).data]
    assert names[:2] == ["Billing (topic 0)", "Billing (topic 1)"] and names[-1] == "Outliers"
    hierarchy = synthetic_map(400, THEME_LABELS_FROM, themes=3)
    assert hierarchy.hierarchy is not None
    for node in hierarchy.hierarchy.nodes:
        node.label = "Same"
    themes = [trace.name for trace in document_map(hierarchy, level="coarse").data if trace.meta["topic"] >= 0]
    assert len(set(themes)) == len(themes) > 1 and all(name.startswith("Same (theme ") for name in themes)


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


def test_tree_and_level_figures_need_a_hierarchy() -> None:
    from topicmap.render.figures import UnknownLevel, topic_tree

    topic_map, texts = small_map()
    assert topic_map.hierarchy is None
    with pytest.raises(UnknownLevel, match="no hierarchy"):
        topic_tree(topic_map)
    with pytest.raises(UnknownLevel, match="its levels are fine"):
        document_map(topic_map, texts, level="coarse")
    assert document_map(topic_map, texts, level="fine").data  # the topics themselves


def test_tree_labels_are_escaped() -> None:
    from topicmap.render.figures import topic_tree
    from topicmap.schemas import Hierarchy, HierarchyNode, Term

    topic_map, _ = small_map()

    def node(node_id: str, level: str, parent: str | None, topics: list[int], label: str) -> HierarchyNode:
        return HierarchyNode(
            id=node_id, level=level, parent=parent, children=[], size=3 * len(topics), label=label,
            terms=[Term(term=label, weight=1.0)], topics=topics, x=0.0, y=0.0,
        )  # type: ignore[arg-type]  # fmt: skip

    topic_map.hierarchy = Hierarchy(
        method="test",
        levels=["coarse", "fine"],
        nodes=[node("root", "root", None, [0, 1, 2], "All"), node("c0", "coarse", "root", [0, 1, 2], XSS)]
        + [node(f"t{t}", "fine", "c0", [t], XSS if t == 1 else f"t{t}") for t in range(3)],
    )
    payload = to_json(topic_tree(topic_map))
    assert "<script>" not in payload and "&lt;script&gt;" in payload
    coloured = to_json(document_map(topic_map, level="coarse"))
    assert "<script>" not in coloured


def test_a_map_of_many_topics_is_one_trace_coloured_per_point() -> None:
    topic_map, texts = small_map()
    figure = json.loads(to_json(document_map(topic_map, max_traces=2)))
    points = [t for t in figure["data"] if t["type"] == "scattergl"]
    assert [t["meta"]["topic"] for t in points] == ["all", -1]  # every topic's points, then the outliers
    rows = decode(points[0]["customdata"])
    colours = decode(points[0]["marker"]["color"])
    assert [int(c) for c in colours] == [topic_map.documents.topic[int(r)] for r in rows]  # topic ids 0-2 < 24
    assert not any(topic_map.documents.outlier[int(r)] for r in rows)
    assert points[0]["hoverinfo"] == "none" and not points[0]["showlegend"]
    with_texts = json.loads(to_json(document_map(topic_map, texts, max_traces=2)))
    assert len(with_texts["data"][0]["hovertext"]) == len(rows)  # the standalone page keeps its hover


def test_a_few_far_points_do_not_shrink_the_map() -> None:
    from topicmap.render.figures import robust_view

    rng = np.random.default_rng(0)
    xs, ys = rng.normal(0, 1, 5000), rng.normal(0, 1, 5000)
    assert robust_view(xs, ys) is None  # nothing far out: the view fits every point
    xs[:5], ys[:5] = 400.0, -300.0
    view = robust_view(xs, ys)
    assert view is not None
    (x0, x1), (y0, y1) = view
    assert -6 < x0 < -2 and 2 < x1 < 6 and -6 < y0 < -2 and 2 < y1 < 6  # around the bulk, not the stragglers


def test_points_of_a_small_map_are_larger() -> None:
    """4-pixel points were specks on a map of 12 support tickets; from about 1,000 documents they stay 4."""
    small, large = document_map(synthetic_map(12, 3)), document_map(synthetic_map(2000, 8))
    assert min(trace.marker.size for trace in small.data) > 9
    assert {trace.marker.size for trace in large.data} == {4}
