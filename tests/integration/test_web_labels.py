"""Label placement (topicmap/render/labels.js) in a real browser: at the plot's edges and after a level switch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import plotly.offline
import pytest

from tests.integration.conftest import SHOTS, mapped_job, sample_documents
from tests.integration.servers import Worker
from tests.integration.test_web import LABEL_BOXES, assert_apart, open_stored_job

pytestmark = pytest.mark.integration
LABELS_JS = Path(__file__).resolve().parents[2] / "topicmap" / "render" / "labels.js"

CORNERS = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 5.0), (0.0, 5.0), (5.0, 5.0)]
FIGURE = {
    "data": [
        {
            "type": "scattergl",
            "mode": "markers",
            "x": [x + dx for x, _ in CORNERS for dx in (-0.1, 0.0, 0.1)],
            "y": [y + dy for _, y in CORNERS for dy in (0.1, 0.0, -0.1)],
        }
    ],
    "layout": {
        "autosize": True,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "showlegend": False,
        "xaxis": {"range": [-0.3, 10.3], "autorange": False},
        "yaxis": {"range": [-0.3, 10.3], "autorange": False},
        "meta": {
            "labels": {
                "text": [f"topic at ({x:g}, {y:g}) · a label wider than its corner" for x, y in CORNERS],
                "x": [x for x, _ in CORNERS],
                "y": [y for _, y in CORNERS],
                "size": [14.0] * len(CORNERS),
                "tier": [1] * len(CORNERS),
            }
        },
    },
}
DRAWN = """() => { const gd = document.getElementById('plot'), r = gd.getBoundingClientRect();
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  return {
    plot: { left: r.left + xa._offset, right: r.left + xa._offset + xa._length,
            top: r.top + ya._offset, bottom: r.top + ya._offset + ya._length },
    labels: [...gd.querySelectorAll('g.annotation text.annotation-text')].map((t) => {
      const b = t.getBoundingClientRect();
      return { text: t.textContent, left: b.left, top: b.top, right: b.right, bottom: b.bottom }; }),
    arrows: gd.layout.annotations.map((a) => a.showarrow),
  }; }"""


def assert_same_places(first: list[list[Any]], second: list[list[Any]]) -> None:
    """The same labels at the same spots, within 3 pixels: with equal scales on both axes Plotly
    nudges the view by about a pixel at each relayout."""
    assert [a[0] for a in first] == [b[0] for b in second], (first, second)
    for a, b in zip(first, second, strict=True):
        assert all(abs((x or 0) - (y or 0)) <= 3 for x, y in zip(a[1:], b[1:], strict=True)), (a, b)


def draw(browser: object, figure: dict[str, Any], shot: str) -> dict[str, Any]:
    """Plot ``figure`` on a blank page as the map page does (Plotly.react, then labels.js), and read what was drawn."""
    page = browser.new_page(viewport={"width": 800, "height": 500})  # type: ignore[attr-defined]
    try:
        page.set_content('<div id="plot" style="width: 700px; height: 420px"></div>')
        page.add_script_tag(content=plotly.offline.get_plotlyjs())
        page.add_script_tag(content=LABELS_JS.read_text(encoding="utf-8"))
        page.evaluate(
            f"""async () => {{ const f = {json.dumps(figure)};
              await Plotly.react('plot', f.data, f.layout, {{ responsive: true }});
              window.topicmapLabels.attach(document.getElementById('plot')); }}"""
        )
        page.wait_for_function("document.querySelectorAll('#plot g.annotation text.annotation-text').length > 0")
        page.wait_for_timeout(500)
        drawn: dict[str, Any] = page.evaluate(DRAWN)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"))
    finally:
        page.close()
    return drawn


def test_labels_of_topics_at_the_edges_are_slid_inside_the_plot(browser: object) -> None:
    """Before, a label that would stick out of the plot at every candidate spot was not drawn: a
    coarse theme at the map's right edge had no name on the map."""
    drawn = draw(browser, FIGURE, "labels-at-the-edges")
    assert sorted(label["text"] for label in drawn["labels"]) == sorted(FIGURE["layout"]["meta"]["labels"]["text"])  # type: ignore[index]
    plot = drawn["plot"]
    for label in drawn["labels"]:  # inside the plot, within a pixel of rounding
        assert label["left"] >= plot["left"] - 1 and label["right"] <= plot["right"] + 1, (label, plot)
        assert label["top"] >= plot["top"] - 1 and label["bottom"] <= plot["bottom"] + 1, (label, plot)
    assert_apart(drawn["labels"])
    assert drawn["arrows"][CORNERS.index((0.0, 5.0))] is False  # slid, still over its topic: no leader line


PLACED = "document.getElementById('plot').layout.annotations.map((a) => [a.text, a.ax, a.ay, a.xshift, a.yshift])"


def test_a_map_switched_to_a_level_has_its_labels_placed_for_the_view_it_shows(
    page: object, client: httpx.Client, worker: Worker
) -> None:
    """The page redraws the map for a level with Plotly.react; Plotly settles the view (equal scales,
    the legend's room) only after that draw, with no relayout event. Labels placed at once were for
    a view the map no longer showed: on 1,500 Debian descriptions a coarse theme at the right edge
    lost its name and another sat beside its documents. Now they are placed again once the view is
    final: placing them again changes nothing, and every theme is named."""
    job_id = mapped_job(client, sample_documents(1500))
    open_stored_job(page, job_id)
    page.select_option("#level", "coarse")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').layout.legend.title.text === 'Coarse themes'")  # type: ignore[attr-defined]
    page.wait_for_timeout(800)  # type: ignore[attr-defined]
    shown = page.evaluate(PLACED)  # type: ignore[attr-defined]
    page.evaluate("window.topicmapLabels.place(document.getElementById('plot'))")  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    assert_same_places(shown, page.evaluate(PLACED))  # type: ignore[attr-defined]
    themes = client.get(f"/api/jobs/{job_id}/topics", params={"level": "coarse"}).json()
    assert len(shown) == len(themes) > 1, (shown, themes)  # every coarse theme named on the map
    assert_apart(page.evaluate(LABEL_BOXES))  # type: ignore[attr-defined]
