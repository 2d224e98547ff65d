"""Parsed corpora and map versions kept in the API process, least recently used first out.

Both never change once stored: a corpus is addressed by the hash of its content, and a map version
is written once (an edit makes the next version). So a parsed copy is always right, and the routes
that read documents (hover, selection, topic pages, search) do not decompress and parse a
million-document corpus on every request. Callers check the caller's access first (the job record)
and treat what they get as read-only. The cache is bounded by the bytes its values hold (as each
value's ``size`` estimates them), not by entries or documents: a million 10,000-character documents
must not fit where a million tweets do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ParsedCache:
    """Values with a size in bytes, at most ``max_bytes`` in all (an oversized one is not kept)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        return self._held

    def get(self, key: Hashable, load: Callable[[], T | None], size: Callable[[T], int]) -> T | None:
        """The value for ``key``, from ``load()`` on a miss (``None``, e.g. expired, is not kept)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]  # type: ignore[no-any-return]
        value = load()  # outside the lock: two first requests may both load, one copy is kept
        if value is None:
            return None
        held = size(value)
        if held > self.max_bytes:
            return value
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, held)
                self._held += held
            while self._held > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._held -= dropped
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._held = 0
