"""What can go wrong with a request to the core, by kind: the shells map each kind to their own
answer (the API to an HTTP status in api/errors.py, the CLI to an exit code), never by its wording."""

from __future__ import annotations


class TopicmapError(ValueError):
    """Base of the core's errors about what a caller asked for (not bugs): a ValueError, so the
    worker fails such a job as invalid input."""


class NotFound(TopicmapError):
    """A job, map version, topic, node or document that does not exist (or may not be seen)."""


class Conflict(TopicmapError):
    """The request is valid, but the map's state does not allow it now (not finished, lacks stored data)."""


class Invalid(TopicmapError):
    """The request cannot apply to this map as it is (e.g. topics that cannot be merged)."""


class TooLarge(TopicmapError):
    """The request, or what it would store, is over a limit."""


class Expired(TopicmapError):
    """What the request needs was stored once and has expired."""


class IllegalTransition(Conflict):
    """A job state change the state machine does not allow (final states are final)."""

    def __init__(self, before: str, after: str) -> None:
        super().__init__(f"the job is {before}; it cannot become {after}")
        self.before, self.after = before, after


class StaleVersion(Conflict):
    """A version was based on one that is no longer the latest (optimistic concurrency)."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"the latest version is {latest}")
        self.latest = latest
