"""Metadata columns as per-document values: numeric, time or categorical, missing values, many categories."""

from __future__ import annotations

import pytest

from topicmap.render.columns import MAX_CATEGORIES, TIME_SAMPLE, column_values, describe_columns


def test_a_column_of_numbers_is_numeric_even_as_strings() -> None:
    metadata = [{"stars": "4"}, {"stars": 5}, {}, {"stars": ""}, {"stars": 2.5}]
    column = column_values(metadata, "stars")
    assert column.kind == "numeric" and column.values == [4.0, 5.0, None, None, 2.5]


def test_a_column_of_words_is_categorical_most_common_first() -> None:
    metadata = [{"team": "billing"}, {"team": "support"}, {"team": "support"}, {}, {"team": 3}]
    column = column_values(metadata, "team")
    assert column.kind == "categorical" and column.categories == ["support", "billing", "3"]
    assert column.codes == [1, 0, 0, -1, 2]


def test_a_column_of_dates_is_time_in_unix_seconds() -> None:
    metadata = [{"at": "2026-01-02"}, {"at": "2026-01-02T12:00:00+02:00"}, {}, {"at": ""}, {"at": "2026-01-03"}]
    column = column_values(metadata, "at")
    assert column.kind == "time" and column.values == [1767312000.0, 1767348000.0, None, None, 1767398400.0]
    assert column_values([{"at": "2026-01-02"}, {"at": "soon"}], "at").kind == "categorical"
    assert column_values([{"at": "2026"}, {"at": 2027}], "at").kind == "numeric"  # years as numbers stay numbers
    excel = column_values([{"at": "1/2/2026"}, {"at": "1/3/2026 2:00 PM"}], "at")  # Excel's US dates: month first
    assert excel.kind == "time" and excel.values == [1767312000.0, 1767448800.0]
    months = column_values([{"month": "January 2026"}, {"month": "2026-Q1"}], "month")  # as reports write periods
    assert months.kind == "time" and months.values == [1767225600.0, 1767225600.0]
    late = [{"at": "2026-01-02"}] * TIME_SAMPLE + [{"at": "soon"}]  # the first look passes, the whole column does not
    assert column_values(late, "at").kind == "categorical"


def test_rare_categories_share_other_beyond_the_limit() -> None:
    metadata = [{"user": f"u{i}"} for i in range(MAX_CATEGORIES + 50)] + [{"user": "u0"}]
    column = column_values(metadata, "user")
    assert len(column.categories) == MAX_CATEGORIES and column.categories[-1] == "other"
    assert column.categories[0] == "u0" and column.codes[0] == 0 and column.codes[-2] == MAX_CATEGORIES - 1


def test_unknown_column_and_the_column_list() -> None:
    metadata = [{"team": "a", "stars": 1}, {"team": "b"}]
    with pytest.raises(KeyError):
        column_values(metadata, "nope")
    described = {c.name: c for c in describe_columns(metadata)}
    assert described["team"].kind == "categorical" and described["team"].distinct == 2
    assert described["stars"].kind == "numeric" and described["stars"].missing == 1
