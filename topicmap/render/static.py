"""Static pictures of a figure (PNG, SVG) with Plotly's own export (kaleido, headless Chromium).

A static picture runs no script, so topicmap/render/labels.js cannot place its labels. For a map, the view is
fixed here instead (axis ranges that fill the picture at equal scale on both axes) and the labels are
placed the same way labels.js places them zoomed out: candidates in order, each at its topic or
beside it with a leader line, slid back inside the picture at its edges, only where its box overlaps
no label already placed. Text widths are
estimated on the wide side (no font metrics without a browser), so labels may sit a little apart,
never on top of each other.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from html import unescape
from typing import Any

import numpy as np
import plotly.graph_objects as go

from topicmap.render.figures import robust_view

MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
PAD = 3
CHAR_WIDTH = {False: 0.62, True: 0.68}
"""Estimated width of a character, in font sizes (regular, bold): DejaVu Sans, Chromium's fallback
for Open Sans on Debian, averages about 0.55."""
WIDE_CHAR_WIDTH = 1.0
"""Chinese and Japanese characters (and other East Asian wide ones) are a font size wide: counted as
Latin ones, "ライブラリ · 共有 · アプリケーション" was thought 40% narrower than drawn."""


class StaticImageUnavailable(RuntimeError):
    """No Chromium for kaleido to drive."""


def chromium() -> str | None:
    """The Chromium kaleido should drive: $BROWSER_PATH, or Debian's."""
    for candidate in (os.environ.get("BROWSER_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def text_width(text: str, size: float) -> float:
    bold = text.startswith("<b>")
    plain = unescape(re.sub(r"<[^>]+>", "", text))
    wide = sum(unicodedata.east_asian_width(character) in "WF" for character in plain)
    return ((len(plain) - wide) * CHAR_WIDTH[bold] + wide * WIDE_CHAR_WIDTH) * size


def fixed_view(figure: go.Figure, width: int, height: int) -> tuple[list[float], list[float]]:
    """Axis ranges around the points (their bulk when a few lie far out: topicmap/render/figures.robust_view),
    padded 3%, with one data unit the same size on both axes."""
    xs = [np.asarray(t.x, dtype=float) for t in figure.data if t.type == "scattergl" and t.x is not None]
    ys = [np.asarray(t.y, dtype=float) for t in figure.data if t.type == "scattergl" and t.y is not None]
    x = np.concatenate(xs) if xs else np.zeros(1)
    y = np.concatenate(ys) if ys else np.zeros(1)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    x0, x1 = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
    y0, y1 = (float(y.min()), float(y.max())) if y.size else (0.0, 1.0)
    view = robust_view(x, y)  # as on the page: a few far points do not shrink the map
    if view is not None:
        (x0, x1), (y0, y1) = view
    plot_w = width - MARGIN["l"] - MARGIN["r"]
    plot_h = height - MARGIN["t"] - MARGIN["b"]
    per_px = max((x1 - x0) / plot_w, (y1 - y0) / plot_h, 1e-9) * 1.06
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [cx - per_px * plot_w / 2, cx + per_px * plot_w / 2], [cy - per_px * plot_h / 2, cy + per_px * plot_h / 2]


def place_labels(
    labels: dict[str, list[Any]], x_range: list[float], y_range: list[float], plot_w: float, plot_h: float
) -> list[dict[str, Any]]:
    """Annotations for the candidates that fit, most important first (topicmap/render/labels.js, zoomed out)."""
    placed: list[tuple[float, float, float, float]] = []
    chosen = []
    for text, x, y, size in zip(labels["text"], labels["x"], labels["y"], labels["size"], strict=True):
        px = (x - x_range[0]) / (x_range[1] - x_range[0]) * plot_w
        py = (y_range[1] - y) / (y_range[1] - y_range[0]) * plot_h
        half = text_width(text, size) / 2 + PAD
        tall = size * 0.65 + PAD
        if 2 * half > plot_w or 2 * tall > plot_h:
            continue
        for shift_x, shift_y in ((0, 0), (0, -2.4 * tall), (0, 2.4 * tall), (half + 12, 0), (-half - 12, 0)):
            dx = shift_x + inward(px + shift_x, half, plot_w)  # slid back inside the plot
            dy = shift_y + inward(py + shift_y, tall, plot_h)
            box = (px + dx - half, py + dy - tall, px + dx + half, py + dy + tall)
            if any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in placed):
                continue
            placed.append(box)
            leader = abs(dx) > half or abs(dy) > tall  # off its topic: a leader line; still over it: shifted
            chosen.append(
                {
                    "x": x, "y": y, "text": text, "showarrow": leader, "arrowhead": 0,
                    "ax": dx if leader else 0, "ay": dy if leader else 0,
                    "xshift": 0 if leader else dx, "yshift": 0 if leader else -dy,
                    "arrowwidth": 1, "arrowcolor": "#555", "standoff": 2, "borderpad": 1,
                    "font": {"size": size, "color": "#1d1d1f"}, "bgcolor": "rgba(255,255,255,0.72)",
                }
            )  # fmt: skip
            break
    return chosen


def inward(centre: float, half: float, length: float) -> float:
    """How far a box centred at ``centre`` (half its size ``half``) must move to lie within [0, length]."""
    if centre - half < 0:
        return half - centre
    if centre + half > length:
        return length - half - centre
    return 0.0


def for_picture(figure: go.Figure, width: int, height: int) -> go.Figure:
    """A copy of ``figure`` ready for a static picture: for a map, a fixed view and placed labels; a
    chart's buttons left out (a picture has nothing to press: the documents are drawn, as at first)."""
    picture = go.Figure(figure)  # a copy
    picture.layout.updatemenus = ()
    meta = picture.layout.meta if isinstance(picture.layout.meta, dict) else {}
    labels = meta.get("labels")
    if labels is None:
        return picture
    if meta.get("kind") == "axes":  # the semantic axes keep their margins (axis titles) and scales
        margin = picture.layout.margin
        x_range, y_range = data_ranges(picture)
        plot_w, plot_h = width - margin.l - margin.r, height - margin.t - margin.b
        picture.update_layout(
            xaxis={"range": x_range, "autorange": False}, yaxis={"range": y_range, "autorange": False}
        )
    else:
        x_range, y_range = fixed_view(picture, width, height)
        plot_w = width - MARGIN["l"] - MARGIN["r"]
        plot_h = height - MARGIN["t"] - MARGIN["b"]
        picture.update_layout(
            margin=MARGIN,
            showlegend=False,
            xaxis={"range": x_range, "autorange": False},
            yaxis={"range": y_range, "autorange": False, "scaleanchor": None},
        )
    picture.layout.annotations = place_labels(labels, x_range, y_range, plot_w, plot_h)  # replaces the first ones
    return picture


def data_ranges(figure: go.Figure) -> tuple[list[float], list[float]]:
    """Each axis's range around every point of the figure, padded 5% (as Plotly's autorange does)."""
    ranges = []
    for axis in ("x", "y"):
        values = [np.asarray(getattr(t, axis), dtype=float) for t in figure.data if getattr(t, axis, None) is not None]
        flat = np.concatenate(values) if values else np.zeros(1)
        flat = flat[np.isfinite(flat)]
        low, high = (float(flat.min()), float(flat.max())) if flat.size else (0.0, 1.0)
        pad = (high - low) * 0.05 or 0.5
        ranges.append([low - pad, high + pad])
    return ranges[0], ranges[1]


def to_image(figure: go.Figure, image_format: str = "png", *, width: int = 1600, height: int = 1100) -> bytes:
    """The figure as PNG or SVG bytes, through kaleido and headless Chromium."""
    browser = chromium()
    if browser is None:
        raise StaticImageUnavailable(
            "static images need Chromium: install it (apt-get install chromium) or set BROWSER_PATH"
        )
    os.environ.setdefault("BROWSER_PATH", browser)
    import plotly.io as pio

    picture = for_picture(figure, width, height)
    return bytes(pio.to_image(picture, format=image_format, width=width, height=height, scale=1))
