"""Topics per class and over time, from the metadata columns a corpus was uploaded with.

Pure functions of the documents' topics and one column's values (standard library; numpy imported
when counting, so the API's request checks stay light), so the
worker (when a job ends), the API (after an edit moves documents between topics) and the command line
compute the same views. Bad values never fail a job: a class column with too many values is grouped,
times that do not parse are counted, and each becomes a line in the map's ``meta.warnings``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from topicmap.dates import DATE_FORMS, parse_times
from topicmap.errors import Invalid
from topicmap.render.columns import as_number
from topicmap.schemas import OverTime, PerClass, PipelineParams, TimeUnit, TopicMap

MAX_CLASSES = 100
"""More distinct classes than this: the largest are kept, the rest grouped as (other)."""
OTHER = "(other)"
VIEW_WARNINGS = ("class column", "time column", "time bins")
"""How the views' own warnings begin: attached again, they replace those; the pipeline's stay."""
MAX_AUTO_BINS = 60
MIN_AUTO_BIN_DOCUMENTS = 50
"""Automatic bins hold this many documents on average where the data allow: a line per topic through
a few documents a bin is mostly noise."""
MIN_AUTO_BINS = 8
MAX_BINS = 1_000
"""A unit set by hand that would give more bins than this gives way to the next coarser one."""
UNITS: tuple[TimeUnit, ...] = ("day", "week", "month", "quarter", "year")


class UnknownColumn(Invalid):
    """A class or time column that the corpus does not have."""


def check_columns(params: PipelineParams, metadata: Sequence[Mapping[str, Any]]) -> None:
    """Raise :class:`UnknownColumn` (a readable message) when a column named in ``params`` is not in
    the metadata of any document."""
    names = list(dict.fromkeys(key for row in metadata for key in row))
    for field, column in (("class_column", params.class_column), ("time_column", params.time_column)):
        if column is not None and column not in names:
            known = ", ".join(names[:30]) if names else "none (the documents have no metadata)"
            raise UnknownColumn(f"{field}: the documents have no column {column!r}; their columns are: {known}")


def attach_views(topic_map: TopicMap, metadata: Sequence[Mapping[str, Any]], params: PipelineParams) -> list[str]:
    """Set ``per_class`` and ``over_time`` of ``topic_map`` (documents in corpus order) as ``params``
    asks, and its ``meta.warnings``; returns the warnings."""
    topics = topic_map.documents.topic
    order = [t.id for t in topic_map.topics]
    warnings: list[str] = []
    topic_map.per_class = topic_map.over_time = None
    if params.class_column is not None:
        values = [row.get(params.class_column) for row in metadata]
        topic_map.per_class = per_class(topics, values, params.class_column, order, warnings)
    if params.time_column is not None:
        values = [row.get(params.time_column) for row in metadata]
        topic_map.over_time = over_time(topics, values, params.time_column, order, params.time_bins, warnings)
    kept = [w for w in topic_map.meta.warnings if not w.startswith(VIEW_WARNINGS)]  # the pipeline's
    topic_map.meta.warnings = kept + warnings
    return warnings


def per_class(
    topics: Sequence[int], values: Sequence[Any], column: str, order: Sequence[int], warnings: list[str]
) -> PerClass | None:
    labels = [None if _missing(v) else str(v).strip() for v in values]
    counted = Counter(label for label in labels if label is not None)
    if not counted:
        warnings.append(f"class column {column!r} has no value in any document; per_class is left out")
        return None
    classes = [name for name, _ in sorted(counted.items(), key=lambda item: (-item[1], item[0]))]
    if len(classes) > MAX_CLASSES:
        grouped = len(classes) - (MAX_CLASSES - 1)
        warnings.append(
            f"class column {column!r} has {len(classes):,} distinct values; per_class keeps the "
            f"{MAX_CLASSES - 1} largest and groups the other {grouped:,} as {OTHER}"
        )
        classes = [*classes[: MAX_CLASSES - 1], OTHER]
    numbers = [name for name in classes if name != OTHER]
    if all(as_number(name) is not None for name in numbers):  # scores, ratings, years: in their order
        classes = sorted(numbers, key=float) + classes[len(numbers) :]
    index = {name: i for i, name in enumerate(classes)}
    other = index.get(OTHER, -1)
    import numpy as np

    column_of = [-1 if label is None else index.get(label, other) for label in labels]
    counts = _table(topics, column_of, order, len(classes))
    totals = counts.sum(axis=0)
    shares = np.round(counts / np.where(totals > 0, totals, 1), 4)
    return PerClass(
        column=column,
        classes=classes,
        topics=list(order),
        counts=counts.tolist(),
        shares=shares.tolist(),
        missing=sum(1 for label in labels if label is None),
    )


def over_time(
    topics: Sequence[int],
    values: Sequence[Any],
    column: str,
    order: Sequence[int],
    unit: TimeUnit | str,
    warnings: list[str],
) -> OverTime | None:
    times = parse_times(values)
    valid = [t for t in times if t is not None]
    if not valid:
        warnings.append(f"time column {column!r} has no value that is a date ({DATE_FORMS}); over_time is left out")
        return None
    unparsed = len(times) - len(valid)
    if unparsed:
        warnings.append(
            f"time column {column!r}: {unparsed:,} of {len(times):,} values are missing or not dates "
            f"({DATE_FORMS}); over_time leaves them out"
        )
    first, last = min(valid), max(valid)
    chosen: TimeUnit = auto_unit(valid) if unit == "auto" else unit  # type: ignore[assignment]
    while chosen != "year" and len(bin_starts(first, last, chosen, limit=MAX_BINS + 1)) > MAX_BINS:
        coarser = UNITS[UNITS.index(chosen) + 1]
        warnings.append(f"time bins of a {chosen} would be over {MAX_BINS:,} for this range; using a {coarser}")
        chosen = coarser
    starts = bin_starts(first, last, chosen)
    positions = {start: i for i, start in enumerate(starts)}
    bin_of = [-1 if t is None else positions[floor(t, chosen)] for t in times]
    counts = _table(topics, bin_of, order, len(starts))
    return OverTime(
        column=column,
        unit=chosen,
        bins=[label(start, chosen) for start in starts],
        bin_starts=starts,
        topics=list(order),
        counts=counts.tolist(),
        unparsed=unparsed,
    )


def auto_unit(times: Sequence[float]) -> TimeUnit:
    """Of the units that cover ``times`` in MIN_AUTO_BINS to MAX_AUTO_BINS bins, at least half of them
    holding a document (monthly data is not drawn per week, with three empty weeks in four): the
    finest whose bins hold MIN_AUTO_BIN_DOCUMENTS documents on average, else the coarsest (1,500
    documents over a year: per month, not ~30 a week; 300: per month too, not four quarters).
    A span too short for MIN_AUTO_BINS bins of any unit gets the finest."""
    first, last = min(times), max(times)
    sized = [
        (unit, n)
        for unit in UNITS
        if (n := len(bin_starts(first, last, unit, limit=MAX_AUTO_BINS + 1))) <= MAX_AUTO_BINS
    ]
    if not sized:
        return "year"
    held: dict[TimeUnit, bool] = {}  # a pass over every time per unit: only for the units that could be chosen

    def occupied(unit: TimeUnit, bins: int) -> bool:
        if unit not in held:
            held[unit] = 2 * len({floor(t, unit) for t in times}) >= bins
        return held[unit]

    many = [(unit, bins) for unit, bins in sized if bins >= MIN_AUTO_BINS]
    for unit, bins in many:
        if len(times) >= MIN_AUTO_BIN_DOCUMENTS * bins and occupied(unit, bins):
            return unit
    for unit, bins in reversed(many):
        if occupied(unit, bins):
            return unit
    return next((unit for unit, bins in sized if occupied(unit, bins)), sized[0][0])


def floor(seconds: float, unit: TimeUnit) -> float:
    moment = datetime.fromtimestamp(seconds, UTC)
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if unit == "day":
        start = day
    elif unit == "week":  # ISO weeks start on Monday
        start = datetime.fromordinal(day.toordinal() - day.weekday()).replace(tzinfo=UTC)
    elif unit == "month":
        start = day.replace(day=1)
    elif unit == "quarter":
        start = day.replace(month=(moment.month - 1) // 3 * 3 + 1, day=1)
    else:
        start = day.replace(month=1, day=1)
    return start.timestamp()


def next_start(start: float, unit: TimeUnit) -> float:
    moment = datetime.fromtimestamp(start, UTC)
    if unit in ("day", "week"):
        days = 1 if unit == "day" else 7
        return datetime.fromordinal(moment.toordinal() + days).replace(tzinfo=UTC).timestamp()
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    index = moment.year * 12 + moment.month - 1 + months
    if index // 12 > 9999:
        return math.inf
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC).timestamp()


def bin_starts(first: float, last: float, unit: TimeUnit, limit: int | None = None) -> list[float]:
    """Every bin's start from the one holding ``first`` to the one holding ``last`` (at most
    ``limit``)."""
    starts = [floor(first, unit)]
    end = floor(last, unit)
    while starts[-1] < end and (limit is None or len(starts) < limit):
        starts.append(next_start(starts[-1], unit))
    return starts


def label(start: float, unit: TimeUnit) -> str:
    moment = datetime.fromtimestamp(start, UTC)
    if unit == "day":
        return moment.strftime("%Y-%m-%d")
    if unit == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "month":
        return moment.strftime("%Y-%m")
    if unit == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    return str(moment.year)


def _table(topics: Sequence[int], columns: Sequence[int], order: Sequence[int], width: int) -> Any:
    """A topic x column count matrix (rows in ``order``); documents with column -1 are left out."""
    import numpy as np

    row = {topic: i for i, topic in enumerate(order)}
    rows = np.array([row.get(t, -1) for t in topics], dtype=np.int64)
    column_of = np.array(columns, dtype=np.int64)
    keep = (rows >= 0) & (column_of >= 0)
    counts = np.zeros((len(order), width), dtype=np.int64)
    np.add.at(counts, (rows[keep], column_of[keep]), 1)
    return counts


def _missing(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )
