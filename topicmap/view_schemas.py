"""The views of a map by metadata: topics per class and over time (topicmap/views.py makes them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

TimeUnit = Literal["day", "week", "month", "quarter", "year"]


class PerClass(BaseModel):
    """Topics per class of a metadata column: how each class's documents spread over the topics."""

    column: str
    classes: list[str] = Field(description="Classes, most documents first; the rarest may be grouped as (other).")
    topics: list[int] = Field(description="Topic ids, the rows of counts and shares.")
    counts: list[list[int]] = Field(description="counts[i][j]: documents of topics[i] in classes[j].")
    shares: list[list[float]] = Field(description="shares[i][j]: share of classes[j]'s documents in topics[i].")
    missing: int = Field(description="Documents without a value in the column.")


class OverTime(BaseModel):
    """Topics over time: documents per topic per time bin of a metadata column."""

    column: str
    unit: TimeUnit
    bins: list[str] = Field(
        description='Bin labels, oldest first ("2024-03-01" day, "2024-W09" week, '
        '"2024-03" month, "2024-Q1" quarter, "2024" year), every bin in the range.'
    )
    bin_starts: list[float] = Field(description="Start of each bin, Unix seconds (UTC).")
    topics: list[int] = Field(description="Topic ids, the rows of counts.")
    counts: list[list[int]] = Field(description="counts[i][k]: documents of topics[i] in bins[k].")
    unparsed: int = Field(description="Documents whose value is missing or is not a date.")
