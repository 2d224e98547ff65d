"""Dates as people's files write them, in Unix seconds (UTC).

ISO 8601, e-mail dates (RFC 2822), Unix seconds or milliseconds, years (2024: a whole number from
1000 to 9999, which as Unix seconds would be the first hours of 1970), spreadsheets' serial dates
(45292 is 1 January 2024, 45292.5 its noon), quarters (2024-Q1, Q1 2024),
dates with English month names and part dates (March 2024, 5 Mar 2024, March 5, 2024, 2024-03,
03/2024: python-dateutil; the missing day or month is the first, a missing year is no date), and
the numbers of spreadsheet exports: 1/15/2024 (Excel in the US), 15/01/2024 (in the UK, France,
Spain…), 15.01.2024 (Germany, Russia…), with a time of day or not. Which of the first two numbers
is the day cannot be told from one value ("03/04/2024"), so :func:`parse_times` reads a whole
column: a first number above 12 somewhere in it means day first, a second number above 12 means
month first, dots mean day first; a column that never tells is read month first, as Excel writes
dates for the US.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from dateutil import parser as dateutil_parser

DATE_FORMS = (
    "ISO 8601, e-mail dates, day/month/year numbers, years, quarters, month names, Unix seconds or milliseconds"
)
"""What a time column may hold, for messages."""
YEARS = (1000, 9999)
"""A whole number in this range is a year, not Unix seconds (which would fall on 1 January 1970)."""
EXCEL_DAYS = (10_000, 2_958_465)
"""A number in this range is a spreadsheet's serial date (days since 30 December 1899: 45292 is
1 January 2024; a cell left in the "General" format), from 1927 to 9999, not Unix seconds of
January 1970."""
EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC).timestamp()
QUARTER = re.compile(
    r"(?:(?P<year>\d{4})[ -]?Q(?P<quarter>[1-4])|Q(?P<quarter2>[1-4])[ -]?(?P<year2>\d{4}))", re.IGNORECASE
)
"""A quarter as the over-time view labels it (2024-Q1), or as reports write it (Q1 2024)."""
MAX_WRITTEN_DATE = 64
"""Longer text is not handed to dateutil: a date is short, and a column of sentences costs nothing."""
_FIRST_DEFAULT, _SECOND_DEFAULT = datetime(1, 1, 1), datetime(2, 1, 1)
"""dateutil fills what a text leaves out from a default: the first of the month, January; a year
that differs between the two defaults was not written."""
MILLISECONDS_FROM = 1e11
"""A number this large is Unix milliseconds (JavaScript, Elasticsearch, MongoDB exports): as seconds
it would be past the year 5000; as milliseconds it is after March 1973."""
TIME_OF_DAY = r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<half>[AaPp][Mm])?)?"
NUMERIC_DATE = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})" + TIME_OF_DAY)
"""Day and month in an order only the column tells: 1/15/2024, 15/01/2024, 15.01.24 10:30."""
YEAR_FIRST = re.compile(r"(?P<year>\d{4})(?P<sep>[/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + TIME_OF_DAY)
"""Year, month, day with slashes or dots (2024/01/15: exports in Japan, China, Korea)."""


def parse_times(values: Sequence[Any]) -> list[float | None]:
    """:func:`parse_time` of each value, and the day/month/year numbers of spreadsheet exports read
    in the one order the column shows (the module's docstring); None where a value is not a date."""
    numeric = [NUMERIC_DATE.fullmatch(v.strip()) if isinstance(v, str) else None for v in values]
    day_first = _day_first([m for m in numeric if m is not None])
    return [parse_time(v) if m is None else _numeric_date(m, day_first) for v, m in zip(values, numeric, strict=True)]


def parse_time(value: Any) -> float | None:
    """Unix seconds (UTC) of an ISO 8601 date or date-time (naive means UTC), of an e-mail's date
    (RFC 2822: "Tue, 03 Dec 2024 10:00:00 +0100"), or of a number of Unix seconds or milliseconds
    (a number or a numeric string); None for anything else (day/month numbers: :func:`parse_times`)."""
    if isinstance(value, bool) or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number: float | None = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            if year_first := YEAR_FIRST.fullmatch(text):
                return _at(int(year_first["year"]), int(year_first["month"]), int(year_first["day"]), year_first)
            moment = _written_date(text)
            return None if moment is None else _seconds(moment)
    if number is None or not math.isfinite(number):
        return None
    if number.is_integer() and YEARS[0] <= number <= YEARS[1]:
        return _seconds(datetime(int(number), 1, 1))
    if EXCEL_DAYS[0] <= number <= EXCEL_DAYS[1]:  # a fraction is the time of day
        return EXCEL_EPOCH + number * 86_400
    if abs(number) >= MILLISECONDS_FROM:
        number /= 1000
    try:
        datetime.fromtimestamp(number, UTC)  # within the years datetime can name
    except (OverflowError, OSError, ValueError):
        return None
    return number


@lru_cache(maxsize=4096)
def _written_date(text: str) -> datetime | None:
    """A column repeats its dates ("March 2024" a thousand times): each text is read once."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if quarter := QUARTER.fullmatch(text):
        year, number = quarter["year"] or quarter["year2"], quarter["quarter"] or quarter["quarter2"]
        return datetime(int(year), 3 * int(number) - 2, 1)
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    return _dateutil_date(text) if len(text) <= MAX_WRITTEN_DATE else None


def _dateutil_date(text: str) -> datetime | None:
    """March 2024, 5 Mar 2024, March 5, 2024, 2024-03, 03/2024; None without a year ("May",
    "12:30", "3 of 4") or when dateutil cannot read it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown zone name ("EST") is read as UTC, with a warning
        try:
            first = dateutil_parser.parse(text, default=_FIRST_DEFAULT)
            second = dateutil_parser.parse(text, default=_SECOND_DEFAULT)
        except (ValueError, OverflowError):
            return None
    return first if first.year == second.year else None


def _day_first(matches: Sequence[re.Match[str]]) -> bool:
    if any(m["sep"] == "." for m in matches) or any(int(m["a"]) > 12 for m in matches):
        return True
    return False  # a second number above 12, or nothing to tell: month first, as Excel writes US dates


def _numeric_date(match: re.Match[str], day_first: bool) -> float | None:
    first, second, year = int(match["a"]), int(match["b"]), int(match["year"])
    if len(match["year"]) == 2:  # as POSIX strptime's %y: 69-99 are the 1900s, 00-68 the 2000s
        year += 1900 if year >= 69 else 2000
    return _at(year, second, first, match) if day_first else _at(year, first, second, match)


def _at(year: int, month: int, day: int, match: re.Match[str]) -> float | None:
    """Unix seconds of that day (UTC) at the match's time of day; None when there is no such day."""
    hour = int(match["hour"] or 0)
    if match["half"]:  # 12 AM is midnight, 12 PM noon
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"].lower() == "pm" else 0)
    try:
        return _seconds(datetime(year, month, day, hour, int(match["minute"] or 0), int(match["second"] or 0)))
    except ValueError:  # 31/02, 13/13, 25:00: not a date (in this column's order)
        return None


def _seconds(moment: datetime) -> float:
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).timestamp()
