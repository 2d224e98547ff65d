"""Semantic axes: where a map's documents and topics sit between two poles written in words."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.access import ViewerDep
from api.axes import place_on_axes
from api.deps import SettingsDep, StoreDep
from api.maps import NOT_READY, VersionQuery
from topicmap.axes import MAX_POLE_CHARS, PRESETS, Axis, parse_axis

router = APIRouter(prefix="/jobs/{job_id}", tags=["search"])
AXES_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_READY,
    422: {"description": "An axis without two poles, an empty or too long pole"},
    503: {"description": "The query worker did not embed the poles in time"},
}
POLES_HELP = (
    f"Two poles, comma-separated (`problem,praise`) or repeated (`x=problem&x=praise`), each at most "
    f"{MAX_POLE_CHARS} characters; or a preset: {', '.join(PRESETS)}"
)
XQuery = Annotated[list[str], Query(description="The horizontal axis. " + POLES_HELP)]
YQuery = Annotated[list[str] | None, Query(description="The vertical axis (optional). " + POLES_HELP)]


class AxisOut(BaseModel):
    negative: str = Field(description="The pole at the low (left, bottom) end.")
    positive: str = Field(description="The pole at the high (right, top) end.")


class AxesDocuments(BaseModel):
    id: list[str]
    topic: list[int]
    x: list[float]
    y: list[float] | None


class AxesTopic(BaseModel):
    topic: int
    label: str
    size: int
    x: float
    y: float | None


class AxesOut(BaseModel):
    model: str
    version: int
    x: AxisOut
    y: AxisOut | None
    scale: str = Field(
        description="How a coordinate is computed: cos(document, positive pole) − cos(document, negative pole)."
    )
    documents: AxesDocuments = Field(description="Columns, in the map's document order.")
    topics: list[AxesTopic] = Field(description="Each topic at the mean of its documents' coordinates.")
    took_ms: float


def parse_axes(x: list[str], y: list[str] | None) -> tuple[Axis, Axis | None]:
    return parse_axis("x", x), parse_axis("y", y) if y else None


@router.get("/axes", summary="Documents and topics between two poles", responses=AXES_RESPONSES)
def semantic_axes(
    store: StoreDep,
    access: ViewerDep,
    settings: SettingsDep,
    x: XQuery,
    y: YQuery = None,
    version: VersionQuery = None,
) -> AxesOut:
    """Each document's coordinate on each axis is its cosine similarity to the positive pole minus
    that to the negative pole (the poles are embedded with the map's model by the query worker);
    0 is halfway, the scale is the same on every map. `figure?kind=axes` draws it."""
    started = time.perf_counter()
    x_axis, y_axis = parse_axes(x, y)
    placed = place_on_axes(store, access, version, x_axis, y_axis, settings.query_timeout_s)
    topics = {t.id: t for t in placed.topic_map.topics}
    docs = placed.topic_map.documents
    return AxesOut(
        model=placed.record.params.model,
        version=version or placed.record.latest_version,
        x=AxisOut(negative=x_axis.negative, positive=x_axis.positive),
        y=AxisOut(negative=y_axis.negative, positive=y_axis.positive) if y_axis else None,
        scale="cos(document, positive) - cos(document, negative)",
        documents=AxesDocuments(
            id=list(docs.id),
            topic=list(docs.topic),
            x=[round(float(v), 4) for v in placed.x],
            y=None if placed.y is None else [round(float(v), 4) for v in placed.y],
        ),
        topics=[
            AxesTopic(topic=p.topic, label=topics[p.topic].label, size=topics[p.topic].size, x=p.x, y=p.y)
            for p in placed.places
            if p.topic in topics
        ],
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )
