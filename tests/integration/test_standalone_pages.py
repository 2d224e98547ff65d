"""Offline pages of several figures (the CLI's and the demo's map.html) in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import SHOTS
from tests.integration.synthetic import synthetic_map
from topicmap.render.charts import topics_over_time
from topicmap.render.figures import document_map, topic_tree
from topicmap.render.pages import to_standalone_page
from topicmap.schemas import PipelineParams
from topicmap.views import attach_views

pytestmark = pytest.mark.integration

HEIGHTS = "() => [...document.querySelectorAll('.js-plotly-plot')].map((p) => p.getBoundingClientRect().height)"


def test_the_maps_of_a_page_of_figures_fill_the_window(browser: object, tmp_path: Path) -> None:
    """Before, every figure of map.html was drawn 450 pixels tall (Plotly's default for a figure in
    a div): the map, the page's reason to exist, took a third of a laptop's screen. A map fills the
    window now; a chart keeps the height it sets."""
    topic_map = synthetic_map(2000, 30, themes=5)
    metadata = [{"when": 1_700_000_000 + i * 3_600} for i in range(2000)]
    attach_views(topic_map, metadata, PipelineParams(time_column="when"))
    figures = [document_map(topic_map), document_map(topic_map, level="coarse"), topic_tree(topic_map)]
    path = tmp_path / "map.html"
    path.write_text(to_standalone_page([*figures, topics_over_time(topic_map)]), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    try:
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4")
        heights = page.evaluate(HEIGHTS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "standalone-page.png"))
        page.set_viewport_size({"width": 1280, "height": 1100})  # a taller window: the maps follow it
        page.wait_for_timeout(800)
        taller = page.evaluate(HEIGHTS)
    finally:
        page.close()
    assert len(heights) == 4
    assert heights[0] >= 0.9 * 800 and heights[1] >= 0.9 * 800, heights
    assert heights[3] == topics_over_time(topic_map).layout.height, heights  # the chart's own height
    assert taller[0] >= 0.9 * 1100 and taller[3] == heights[3], taller
