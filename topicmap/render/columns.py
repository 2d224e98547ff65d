"""A metadata column of a corpus as compact per-document values, for colouring and filtering a map.

A column is numeric when every present value is a number (or a string that parses as one), time
when every present value is an ISO 8601 date or date-time (its values in Unix seconds, UTC, as the
over-time view reads them), else categorical: categories by frequency, most common first, and one
code per document (-1: missing).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from topicmap.dates import parse_times

MAX_CATEGORIES = 200
"""Beyond this many distinct values the rarest share one category, "other"."""
TIME_SAMPLE = 200
"""Values read to tell whether a text column holds dates, before the whole column is."""


ColumnKind = Literal["categorical", "numeric", "time"]


class ColumnInfo(BaseModel):
    name: str
    kind: ColumnKind
    distinct: int = Field(description="Distinct values present.")
    missing: int = Field(description="Documents without a value.")


class ColumnValues(BaseModel):
    name: str
    kind: ColumnKind
    categories: list[str] = Field(default_factory=list, description="Categorical: most common first.")
    codes: list[int] = Field(default_factory=list, description="Categorical: each document's category, -1 missing.")
    values: list[float | None] = Field(
        default_factory=list, description="Numeric: each document's value; time: its Unix seconds (UTC)."
    )


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def present(value: Any) -> bool:
    return value is not None and value != ""


def column_names(metadata: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in metadata for key in row))


def describe_columns(metadata: Sequence[Mapping[str, Any]]) -> list[ColumnInfo]:
    return [
        ColumnInfo(name=c.name, kind=c.kind, distinct=distinct, missing=missing)
        for c, distinct, missing in (summarise(metadata, name) for name in column_names(metadata))
    ]


def summarise(metadata: Sequence[Mapping[str, Any]], name: str) -> tuple[ColumnValues, int, int]:
    values = column_values(metadata, name)
    raw = [row.get(name) for row in metadata]
    missing = sum(not present(v) for v in raw)
    distinct = len({str(v) for v in raw if present(v)})
    return values, distinct, missing


def column_values(metadata: Sequence[Mapping[str, Any]], name: str) -> ColumnValues:
    """The column ``name`` (KeyError when no document has it)."""
    raw = [row.get(name) for row in metadata]
    if not any(name in row for row in metadata):
        raise KeyError(name)
    given = [v for v in raw if present(v)]
    if given and all(as_number(v) is not None for v in given):
        return ColumnValues(name=name, kind="numeric", values=[as_number(v) if present(v) else None for v in raw])
    if given and _dates_as_text(given[:TIME_SAMPLE]):  # a first look: a column of titles is not read through
        times = parse_times(_dates_as_text_or_none(raw))
        if all(t is not None for v, t in zip(raw, times, strict=True) if present(v)):
            return ColumnValues(name=name, kind="time", values=times)
    counts = Counter(str(v) for v in given)
    ranked = [value for value, _ in counts.most_common()]
    kept = ranked[:MAX_CATEGORIES] if len(ranked) <= MAX_CATEGORIES else ranked[: MAX_CATEGORIES - 1]
    categories = kept + (["other"] if len(ranked) > len(kept) else [])
    code_of = {value: code for code, value in enumerate(kept)}
    other = len(kept)
    codes = [code_of.get(str(v), other) if present(v) else -1 for v in raw]
    return ColumnValues(name=name, kind="categorical", categories=categories, codes=codes)


def _dates_as_text_or_none(values: Sequence[Any]) -> list[Any]:
    return [v if isinstance(v, str) and as_number(v) is None else None for v in values]


def _dates_as_text(values: Sequence[Any]) -> bool:
    """Every one of ``values`` is a date written as text (numbers are a numeric column's)."""
    return all(t is not None for t in parse_times(_dates_as_text_or_none(values)))
