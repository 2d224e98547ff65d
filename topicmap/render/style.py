"""Colours and escaping shared by every figure: one palette, one outlier grey, one escape."""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Sequence

SNIPPET_CHARS = 200
OUTLIER_COLOUR = "#b0b0b0"
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499", "#CC6677",
)  # fmt: skip
"""Colour-blind-safe sets: Okabe and Ito's (without black), then Paul Tol's "muted". Grey is kept for
outliers and missing values."""
DISCRETE_PALETTE = [
    [bound, colour] for i, colour in enumerate(PALETTE) for bound in (i / len(PALETTE), (i + 1) / len(PALETTE))
]
"""A colour scale with one flat band per palette colour: colour value ``i`` is ``PALETTE[i]``."""


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def row_names(labels: Sequence[str], ids: Sequence[int], noun: str = "topic") -> list[str]:
    """Escaped labels for a chart's rows or legend entries, one per topic: Plotly draws one row per
    distinct name, so a label two topics share (a person named both "Billing") gets each topic's
    number, "Billing (topic 7)"."""
    shared = {label for label, count in Counter(labels).items() if count > 1}
    return [escape(f"{label} ({noun} {i})" if label in shared else label) for label, i in zip(labels, ids, strict=True)]


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Escaped text cut to ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return escape(text)


def point_size(n_documents: int) -> float:
    """Marker size in pixels: 4 from about a thousand documents up, larger on small maps (12
    documents: 9.7), where 4-pixel points are specks in an empty plot."""
    return round(min(10.0, max(4.0, 16 / math.pow(max(n_documents, 1), 0.2))), 1)


def topic_colour(topic_id: int) -> str:
    return OUTLIER_COLOUR if topic_id < 0 else PALETTE[topic_id % len(PALETTE)]
