"""A figure by kind, the names renderings are stored under, and figures as JSON or offline HTML."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from topicmap.render.charts import topics_over_time, topics_per_class
from topicmap.render.figures import document_map, topic_sizes, topic_terms, topic_tree
from topicmap.render.style import escape
from topicmap.schemas import TopicMap

FIGURE_KINDS = ("map", "sizes", "terms", "tree", "per_class", "over_time")
LABELS_PATH = Path(__file__).resolve().parent / "labels.js"
LABELS_JS = LABELS_PATH.read_text(encoding="utf-8")
"""Label placement at every zoom (topicmap/render/labels.js): the page loads it, standalone pages inline it."""
PLACE_LABELS = LABELS_JS + "\nwindow.topicmapLabels.attach(document.getElementById('{plot_id}'));"
DRAWING = 3
"""Which drawing of the figures a stored rendering is: one more whenever a change draws a figure
differently, so that a map made before it is drawn again, not served as it was (its theme labels,
its chart's buttons in a picture, a chart's topics the page brings forward, two legend entries of
one name). A stored rendering of an earlier drawing is deleted when its figure is drawn again
(:func:`earlier_drawings`)."""


def build_figure(
    kind: str, topic_map: TopicMap, texts: Sequence[str] | None = None, *, level: str | None = None
) -> go.Figure:
    if kind == "map":
        return document_map(topic_map, texts, level=level)
    if kind == "sizes":
        return topic_sizes(topic_map)
    if kind == "terms":
        return topic_terms(topic_map)
    if kind == "tree":
        return topic_tree(topic_map)
    if kind in ("per_class", "over_time"):
        return topics_per_class(topic_map) if kind == "per_class" else topics_over_time(topic_map)
    raise ValueError(f"unknown figure kind {kind!r}; use one of {', '.join(FIGURE_KINDS)}")


def figure_artifact(
    kind: str, format: str, *, level: str | None = None, texts: bool = True, titled: str | None = None
) -> str:
    """The name a rendering of a map version is stored under (``v{n}/`` + this): shared by the API,
    which renders on first request, and the worker, which renders the page's map as a job ends.
    ``titled``: the map's name in its title (a renamed map's downloads are drawn again)."""
    name = f"figure{DRAWING}-{kind}"  # the first drawing's were "figure-{kind}"
    if kind == "map":
        name += f"-{level}" if level not in (None, "fine") else ""
        name += "" if texts else "-notext"
    if titled:
        name += "-" + hashlib.sha256(titled.encode()).hexdigest()[:12]
    return f"{name}.{format}"


def earlier_drawings(name: str) -> list[str]:
    """The names the earlier drawings of a rendering were stored under ("figure-map.json" and
    "figure{n}-map.json" before "figure{DRAWING}-map.json"): dropped once it is drawn again."""
    prefix = f"figure{DRAWING}-"
    if not name.startswith(prefix):
        return []
    rest = name[len(prefix) :]
    return [f"figure-{rest}", *(f"figure{n}-{rest}" for n in range(2, DRAWING))]


def with_map_name(figure: go.Figure, map_name: str) -> go.Figure:
    """The figure with the map's name after its title ("Topic map · Support tickets, March")."""
    title = figure.layout.title.text or "topicmap"
    return figure.update_layout(title={"text": f"{title} · {escape(map_name)}"})


def to_json(figure: go.Figure) -> str:
    return str(pio.to_json(figure, validate=False, pretty=False))


def to_standalone_html(figure: go.Figure, *, title: str = "topicmap") -> str:
    """A complete HTML page with plotly.js inlined from the installed plotly package (works offline)."""
    config = {"scrollZoom": True, "displaylogo": False}
    page = pio.to_html(figure, include_plotlyjs=True, full_html=True, config=config, post_script=PLACE_LABELS)
    return str(page).replace("<head>", f'<head><meta charset="utf-8"><title>{escape(title)}</title>', 1)


FIGURE_HEIGHT = "92vh"
"""On a page of several figures, one without a height of its own fills the window (a map is read
at the size of the screen, not in Plotly's default 450 pixels); charts keep the height they set."""


def to_standalone_page(figures: Sequence[go.Figure], *, title: str = "topicmap") -> str:
    """Several figures on one offline page, plotly.js inlined once."""
    config = {"scrollZoom": True, "displaylogo": False, "responsive": True}
    parts = [
        str(
            pio.to_html(
                figure,
                include_plotlyjs=index == 0,
                full_html=False,
                config=config,
                post_script=PLACE_LABELS,
                default_height=FIGURE_HEIGHT,
            )
        )
        for index, figure in enumerate(figures)
    ]
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body>{''.join(parts)}</body></html>\n"
    )
