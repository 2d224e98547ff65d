"""The one way a map gets a new version: from the API's edits, the worker's added documents and the
command line's edits alike.

A version is committed to a :class:`VersionHistory`: a job's versions in Redis
(:class:`topicmap.store.versions.JobVersions`) or a map folder's (cli/folder.py). The function checks
``If-Match`` (the version the caller last saw), records who made the version, from which version and
with which operations, writes it only if nobody committed first (the history raises
:class:`~topicmap.errors.StaleVersion`), and keeps the term counts the next regrouping relabels from.
What the version stores counts toward its owner's quota where the history keeps one (Redis).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

from topicmap.edits.operations import Edited
from topicmap.errors import StaleVersion
from topicmap.memberships import follow_edit
from topicmap.schemas import MapVersion, TopicMap


class VersionHistory(Protocol):
    """Where a map's versions live."""

    def write_version(self, expected: int, topic_map: TopicMap, entry: MapVersion) -> int:
        """Store ``topic_map`` as ``entry.number`` if the latest is still ``expected`` (else raise
        :class:`StaleVersion`) and append ``entry`` to the history; returns the bytes stored."""
        ...

    def read_terms(self, version: int) -> bytes | None:
        """The stored term counts of a version, or None."""
        ...

    def write_terms(self, version: int, data: bytes) -> int:
        """Store a version's term counts; returns the bytes stored."""
        ...


def commit_version(
    history: VersionHistory,
    edited: Edited,
    *,
    latest: int,
    author: str,
    operations: Sequence[dict[str, Any]],
    if_match: int | None = None,
) -> MapVersion:
    """Commit ``edited`` (made from version ``latest``) as version ``latest + 1``.

    ``if_match``: the version the caller based the change on; when it is not ``latest`` the commit
    is refused with :class:`StaleVersion` (as it is when another commit wins the race).
    """
    if if_match is not None and if_match != latest:
        raise StaleVersion(latest)
    follow_edit(edited.topic_map)  # several topics per document: only topics the version has
    entry = MapVersion(
        number=latest + 1,
        created_at=time.time(),
        author=author,
        based_on=latest,
        operations=[dict(operation) for operation in operations],
        corpus=edited.topic_map.meta.corpus,
    )
    history.write_version(latest, edited.topic_map, entry)
    # The next merge relabels from the new version's term counts: made now, or those it kept.
    blob = edited.terms.to_bytes() if edited.terms is not None else None
    if blob is None and edited.terms_from is not None:
        blob = history.read_terms(edited.terms_from)
    if blob is not None:
        history.write_terms(entry.number, blob)
    return entry
