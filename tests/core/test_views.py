"""Topics per class and over time (topicmap/views.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.synthetic import synthetic_map
from topicmap.schemas import PipelineParams
from topicmap.views import (
    MAX_CLASSES,
    OTHER,
    UnknownColumn,
    attach_views,
    auto_unit,
    check_columns,
    label,
    over_time,
    per_class,
)


def seconds(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_per_class_counts_and_shares() -> None:
    topics = [0, 0, 1, 1, 1, -1]
    values = ["ops", "dev", "dev", "dev", None, "ops"]
    warnings: list[str] = []
    view = per_class(topics, values, "team", [0, 1, -1], warnings)
    assert view is not None and not warnings
    assert view.classes == ["dev", "ops"]  # most documents first
    assert view.counts == [[1, 1], [2, 0], [0, 1]]
    assert view.shares == [[0.3333, 0.5], [0.6667, 0.0], [0.0, 0.5]]
    assert view.missing == 1


def test_a_class_column_with_thousands_of_values_is_grouped_with_a_warning() -> None:
    values = [f"user{i}" for i in range(3000)] + ["big"] * 10
    warnings: list[str] = []
    view = per_class([0] * len(values), values, "author", [0], warnings)
    assert view is not None and len(view.classes) == MAX_CLASSES and view.classes[0] == "big"
    assert view.classes[-1] == OTHER and sum(view.counts[0]) == len(values)
    assert "3,001 distinct values" in warnings[0]
    empty: list[str] = []
    assert per_class([0, 0], [None, ""], "author", [0], empty) is None and "no value" in empty[0]


def test_over_time_bins_every_period_in_the_range_and_counts_what_does_not_parse() -> None:
    values = ["2024-01-15", "2024-01-20", "2024-03-02", "not a date", 1706745600]  # the last: 2024-02-01
    warnings: list[str] = []
    view = over_time([0, 1, 1, 0, 0], values, "date", [0, 1], "month", warnings)
    assert view is not None
    assert view.bins == ["2024-01", "2024-02", "2024-03"]  # February has no document of topic 1, still a bin
    assert view.counts == [[1, 1, 0], [1, 0, 1]]
    assert view.unparsed == 1 and "1 of 5 values" in warnings[0]
    nothing: list[str] = []
    assert over_time([0], ["soon"], "date", [0], "auto", nothing) is None and "no value that is a date" in nothing[0]


def test_automatic_bins_and_labels() -> None:
    def spread(first: str, last: str, step_days: float = 1) -> list[float]:
        start, end = seconds(first), seconds(last)
        return [start + i * step_days * 86_400 for i in range(int((end - start) / (step_days * 86_400)) + 1)]

    def dense(times: list[float]) -> list[float]:
        return [t for t in times for _ in range(50)]  # 50 documents on each date

    assert auto_unit(dense(spread("2024-01-01", "2024-01-31"))) == "day"
    assert auto_unit(dense(spread("2024-01-01", "2024-09-30"))) == "week"
    assert auto_unit(dense(spread("2020-01-01", "2024-06-30"))) == "month"
    assert auto_unit(dense(spread("2010-01-01", "2024-06-30", 7))) == "quarter"
    assert auto_unit(spread("1900-01-01", "2024-06-30", 30)) == "year"
    monthly = [seconds(f"2024-{m:02d}-01") for m in range(1, 13)]
    assert auto_unit(monthly) == "month"  # not weeks, three in four of them empty
    # Fewer documents: bins that hold ~50 on average, while there are at least 8 of them.
    assert auto_unit(spread("2024-01-01", "2024-12-31", 0.25)) == "month"  # 1,461 over a year: not ~28 a week
    assert auto_unit(spread("2024-01-01", "2024-12-31")) == "month"  # 366: under 50 a month, but quarters are too few
    assert auto_unit(spread("2024-01-01", "2024-01-31")) == "day"  # 31 over a month: a day each, weeks too few
    assert auto_unit(dense(spread("2024-01-01", "2024-12-31"))) == "week"
    moment = seconds("2024-03-01")
    assert [label(moment, u) for u in ("day", "week", "month", "quarter", "year")] == [
        "2024-03-01",
        "2024-W09",
        "2024-03",
        "2024-Q1",
        "2024",
    ]


def test_a_unit_that_gives_too_many_bins_gives_way_with_a_warning() -> None:
    warnings: list[str] = []
    view = over_time([0, 0], ["1900-01-01", "2024-01-01"], "date", [0], "day", warnings)
    assert view is not None and view.unit == "quarter" and len(view.bins) <= 1000
    assert "using a week" in warnings[0] and "using a quarter" in warnings[-1]


def test_classes_that_are_numbers_are_in_their_order() -> None:
    """An NPS score or a rating: 0 to 10 reads left to right, not most answers first."""
    warnings: list[str] = []
    scores = per_class([0] * 6, ["10", "9", "10", "2", "10", "9.5"], "score", [0], warnings)
    assert scores is not None and scores.classes == ["2", "9", "9.5", "10"] and scores.counts == [[1, 1, 1, 3]]
    teams = per_class([0] * 3, ["ops", "dev", "dev"], "team", [0], warnings)
    assert teams is not None and teams.classes == ["dev", "ops"] and not warnings


def test_attach_views_and_unknown_columns() -> None:
    topic_map = synthetic_map(40, 3)
    metadata = [{"team": f"t{i % 2}", "date": f"2024-01-{i % 28 + 1:02d}"} for i in range(40)]
    params = PipelineParams(class_column="team", time_column="date")
    assert attach_views(topic_map, metadata, params) == []
    assert topic_map.per_class is not None and topic_map.over_time is not None
    assert sum(map(sum, topic_map.per_class.counts)) == 40 and topic_map.over_time.unit == "day"
    with pytest.raises(UnknownColumn, match=r"no column 'owner'; their columns are: team, date"):
        check_columns(PipelineParams(class_column="owner"), metadata)
    check_columns(params, metadata)


def test_attaching_views_again_replaces_their_warnings_and_keeps_the_pipelines() -> None:
    topic_map = synthetic_map(40, 3)
    topic_map.meta.warnings = ["all 40 documents are the same text: one topic, every document flagged"]
    metadata = [{"date": "someday" if i == 0 else f"2024-01-{i % 28 + 1:02d}"} for i in range(40)]
    for _ in range(2):  # as an edit attaches them again
        attach_views(topic_map, metadata, PipelineParams(time_column="date"))
    warnings = topic_map.meta.warnings
    assert len(warnings) == 2 and warnings[0].startswith("all 40") and warnings[1].startswith("time column")


def test_a_column_of_years_is_drawn_per_year() -> None:
    """A "year" column (2021 … 2024) is years, not seconds after 1970 in one bin of a day."""
    years = [str(2021 + i % 4) for i in range(400)]
    warnings: list[str] = []
    view = over_time([i % 2 for i in range(400)], years, "year", [0, 1], "auto", warnings)
    assert view is not None and not warnings
    assert view.unit == "year" and view.bins == ["2021", "2022", "2023", "2024"]
    assert [sum(column) for column in zip(*view.counts, strict=True)] == [100, 100, 100, 100]
