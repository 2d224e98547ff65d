"""Semantic axes: documents and topics placed between two poles written in words.

An axis is two short phrases, a negative and a positive pole (``problem,praise``). Each document's
coordinate on it is ``cos(document, positive) − cos(document, negative)``: the embeddings are
L2-normalised, so this is ``document · (p̂ − n̂)``, the projection onto the direction from one pole to
the other. 0 means "as close to one pole as to the other"; the scale is cosine similarity, so the
numbers mean the same thing on every map (no rescaling per map: a map whose documents all lean one
way shows it). A topic sits at the mean of its documents' coordinates. BunkaTopics' "Bourdieu map"
uses the same direction but divides by ‖p̂ − n̂‖ and can drop the documents near the centre;
docs/pipeline.md compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from topicmap.errors import Invalid

if TYPE_CHECKING:  # numpy is imported where it is used: the CLI reads the presets without it
    import numpy as np
    import numpy.typing as npt

MAX_POLE_CHARS = 200
PRESETS: dict[str, tuple[str, str]] = {
    "sentiment": ("problem", "praise"),
    "price": ("cheap", "premium"),
    "audience": ("for beginners", "for experts"),
    "time": ("old and legacy", "new and modern"),
}
"""Pairs of poles offered on the page and in the CLI (``--x price``)."""


@dataclass(frozen=True)
class Axis:
    negative: str
    positive: str

    @property
    def poles(self) -> tuple[str, str]:
        return self.negative, self.positive


def parse_axis(name: str, values: Sequence[str]) -> Axis:
    """An axis from ``["problem,praise"]``, ``["problem", "praise"]`` or a preset name (``["price"]``);
    :class:`Invalid` with a sentence saying what is wrong otherwise."""
    parts = [p.strip() for value in values for p in value.split(",")] if len(values) == 1 else [*values]
    if len(parts) == 1 and parts[0] in PRESETS:
        return Axis(*PRESETS[parts[0]])
    if len(parts) != 2:
        raise Invalid(
            f"{name}: give two poles, e.g. {name}=problem,praise (or {name}=problem&{name}=praise), "
            f"or a preset: {', '.join(PRESETS)}"
        )
    negative, positive = (p.strip() for p in parts)
    if not negative or not positive:
        raise Invalid(f"{name}: a pole is empty; write each pole in a few words")
    for pole in (negative, positive):
        if len(pole) > MAX_POLE_CHARS:
            raise Invalid(f"{name}: a pole has {len(pole)} characters; at most {MAX_POLE_CHARS}")
    if negative.casefold() == positive.casefold():
        raise Invalid(f"{name}: both poles are {negative!r}; an axis needs two different ends")
    return Axis(negative, positive)


def axis_scores(
    vectors: npt.NDArray[np.float32], negative: npt.NDArray[np.float32], positive: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """``cos(v, positive) − cos(v, negative)`` for each row of ``vectors`` (rows L2-normalised)."""
    import numpy as np

    direction = unit(positive) - unit(negative)
    return np.asarray(vectors @ direction, dtype=np.float32)


def unit(vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    import numpy as np

    norm = float(np.linalg.norm(vector))
    return np.asarray(vector / norm if norm > 0 else vector, dtype=np.float32)


@dataclass
class TopicPlace:
    topic: int
    x: float
    y: float | None


def topic_places(
    topics: Sequence[int], x: npt.NDArray[np.float32], y: npt.NDArray[np.float32] | None
) -> list[TopicPlace]:
    """Each topic (outliers, -1, left out) at the mean of its documents' coordinates."""
    import numpy as np

    labels = np.asarray(topics)
    places = []
    for topic in sorted({int(t) for t in labels.tolist() if t >= 0}):
        rows = labels == topic
        places.append(
            TopicPlace(topic, round(float(x[rows].mean()), 4), None if y is None else round(float(y[rows].mean()), 4))
        )
    return places
