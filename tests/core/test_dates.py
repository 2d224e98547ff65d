"""Dates as people's files write them (topicmap/dates.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from topicmap.dates import parse_time, parse_times


def seconds(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01", seconds("2024-03-01")),
        ("2024-03-01T12:30:00Z", seconds("2024-03-01T12:30:00")),
        ("2024-03-01T14:30:00+02:00", seconds("2024-03-01T12:30:00")),
        ("2024-03-01 12:30", seconds("2024-03-01T12:30:00")),
        (1709251200, 1709251200.0),
        ("1709251200", 1709251200.0),
        (1709251200.5, 1709251200.5),
        (1709251200500, 1709251200.5),  # Unix milliseconds, as JavaScript and Elasticsearch write them
        ("1709251200500", 1709251200.5),
        ("Fri, 01 Mar 2024 14:30:00 +0200", seconds("2024-03-01T12:30:00")),  # an e-mail's Date header
        ("1 Mar 2024 12:30:00 -0000", seconds("2024-03-01T12:30:00")),
        ("last tuesday", None),
        ("", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        (1e30, None),
    ],
)
def test_times_parse_iso_8601_e_mail_dates_and_unix_seconds(value: object, expected: float | None) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (["1/15/2024", "3/4/2024 2:30 PM", "12/31/99"], ["2024-01-15", "2024-03-04T14:30", "1999-12-31"]),  # US
        (["15/01/2024", "3/4/2024 14:30"], ["2024-01-15", "2024-04-03T14:30"]),  # a day above 12: day first
        (["03/04/2024", "05/06/24"], ["2024-03-04", "2024-05-06"]),  # nothing tells: month first, as Excel in the US
        (["15.01.2024", "3.4.24"], ["2024-01-15", "2024-04-03"]),  # dots: day first
        (["2024/01/15", "2024.3.4 12:05 AM"], ["2024-01-15", "2024-03-04T00:05"]),  # year first
        (["31/12/2024", "12/31/2024", "31/02/2024"], ["2024-12-31", None, None]),  # not dates in the column's order
        (["2024-03-01", "1709251200", "", None, "soon"], ["2024-03-01", "2024-03-01", None, None, None]),
    ],
)
def test_a_column_of_day_month_numbers_is_read_in_the_order_it_shows(
    column: list[object], expected: list[str | None]
) -> None:
    """Spreadsheets export dates as numbers in their country's order; one value cannot say which
    is the day (03/04/2024), the column can."""
    assert parse_times(column) == [None if e is None else seconds(e) for e in expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024", "2024-01-01"),  # a year: as Unix seconds it would be 00:33 on 1 January 1970
        (2023, "2023-01-01"),
        ("2024.0", "2024-01-01"),  # a year column with a gap, as pandas writes it
        (45292, "2024-01-01"),  # a spreadsheet's serial date (a cell in the "General" format)
        ("45292.5", "2024-01-01T12:00"),
        ("2024-Q1", "2024-01-01"),  # the over-time view's own quarter labels
        ("Q3 2023", "2023-07-01"),
        ("2024-03", "2024-03-01"),
        ("2024/03", "2024-03-01"),
        ("03/2024", "2024-03-01"),
        ("March 2024", "2024-03-01"),
        ("Mar 2024", "2024-03-01"),
        ("5 March 2024", "2024-03-05"),
        ("05-Mar-2024", "2024-03-05"),
        ("March 5, 2024", "2024-03-05"),
        ("Tuesday, March 5, 2024", "2024-03-05"),
        ("8 Mar 2024 10:30", "2024-03-08T10:30"),
        ("May", None),  # no year: no date
        ("12:30", None),
        ("3 of 4", None),
        ("printer broke on March 5 2024", None),
        ("March 2024 " + "was a long month " * 5, None),  # a sentence, not a date
    ],
)
def test_years_quarters_month_names_and_part_dates(value: object, expected: str | None) -> None:
    """Surveys and reports write dates as a year, a quarter or a month: each is the period's first day."""
    assert parse_time(value) == (None if expected is None else seconds(expected))
