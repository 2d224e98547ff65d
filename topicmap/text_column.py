"""Which of a corpus file's columns (or JSON fields) holds the text, and which the ids.

A column named text/content/document/body is the text; else the only column of text (strings that
are mostly neither numbers nor dates, some with spaces), or of several the one whose texts are at
least twice as long as any other's (a ticket's description beside its subject); else, when none has
spaces, the only column of words (one-word answers: "yes", "👍"). A column named id holds the ids.
Standard library only.
"""

from __future__ import annotations

import statistics
from typing import Any

from topicmap.dates import parse_times

TEXT_COLUMN_NAMES = ("text", "content", "document", "body")
ID_COLUMN_NAMES = ("id",)


class ColumnError(ValueError):
    """The text or id column cannot be told or is not in the file: one line naming the columns."""


def column_names(header: list[str]) -> list[str]:
    """A header's names, each one usable: an empty one is "column N" (1-based; a trailing delimiter
    makes one), a repeated one gets " (2)", " (3)"… so no column hides another."""
    names: list[str] = []
    for number, given in enumerate(header, 1):
        name = given or f"column {number}"
        base, copy = name, 1
        while name in names:
            copy += 1
            name = f"{base} ({copy})"
        names.append(name)
    return names


def choose_text_column(header: list[str], samples: list[list[Any]], requested: str | None) -> str:
    """The text column: ``requested``, else by name, else by what the ``samples`` (each column's
    first values) hold."""
    if requested is not None:
        if requested not in header:
            raise ColumnError(f"unknown text column {requested!r}; the columns are: {listing(header)}")
        return requested
    by_lower = {h.lower(): h for h in header}
    for candidate in TEXT_COLUMN_NAMES:
        if candidate in by_lower:
            return by_lower[candidate]
    worded = [(h, values) for h, values in zip(header, samples, strict=True) if holds_words(values)]
    textual = [(h, values) for h, values in worded if any(" " in v.strip() for v in values if isinstance(v, str))]
    if len(textual) == 1:
        return textual[0][0]
    if longest := clearly_longest(textual):  # a ticket's subject and description: the description
        return longest
    if not textual and len(worded) == 1:  # one column of one-word answers ("yes", "👍")
        return worded[0][0]
    raise ColumnError(
        f"cannot tell which column holds the text; name it (text_column in the API, "
        f"--text-column in the CLI), one of: {listing(header)}"
    )


LONGER = 2.0
"""How many times longer a column's texts must be than every other's to be the text without its name."""


def clearly_longest(columns: list[tuple[str, list[Any]]]) -> str | None:
    """The column whose texts are the longest, when its median length is at least LONGER times every
    other's (a title and an abstract); none when two are alike (two survey questions' answers)."""
    if len(columns) < 2:
        return None
    medians = sorted(((median_length(values), h) for h, values in columns), reverse=True)
    (first, name), (second, _) = medians[0], medians[1]
    return name if first >= LONGER * max(second, 1.0) else None


def median_length(values: list[Any]) -> float:
    lengths = [len(v.strip()) for v in values if isinstance(v, str) and v.strip()]
    return float(statistics.median(lengths)) if lengths else 0.0


def listing(header: list[str], most: int = 30) -> str:
    """Column names for a one-line message: unprintable ones quoted, at most ``most`` of them."""
    shown = [h if h.isprintable() else repr(h) for h in header[:most]]
    return ", ".join(shown) + (f" and {len(header) - most} more" if len(header) > most else "")


def choose_id_column(header: list[str], requested: str | None, text_column: str) -> str | None:
    """The id column: ``requested``, else one named id (not the text's), else none (ids are numbered)."""
    if requested is not None:
        if requested not in header:
            raise ColumnError(f"unknown id column {requested!r}; the columns are: {listing(header)}")
        return requested
    return next((h for h in header if h.lower() in ID_COLUMN_NAMES and h != text_column), None)


def holds_words(values: list[Any]) -> bool:
    """Most non-empty values are strings that are neither numbers nor dates. A column of text has
    spaces in some of them too; one of labels or one-word answers may not."""
    strings = [v for v in values if isinstance(v, str) and v.strip()]
    if not strings:
        return False
    numeric = sum(1 for v in strings if is_number(v))
    dates = sum(1 for t in parse_times(strings) if t is not None)
    return numeric + dates < len(strings) / 2


def is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
