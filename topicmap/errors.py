"""What can go wrong with a request to the core, by kind: the shells map each kind to their own
answer (the API to an HTTP status in api/errors.py, the CLI to an exit code), never by its wording."""

from __future__ import annotations

import time


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


class OverQuota(TopicmapError):
    """Storing this would take the owner past their storage quota (every byte they make Redis hold)."""

    def __init__(self, *, needed: int, held: int, quota: int, first_expiry: float | None) -> None:
        self.needed, self.held, self.quota, self.first_expiry = needed, held, quota, first_expiry
        if needed > quota:
            message = f"this needs {mib(needed)}, more than the storage quota of {mib(quota)} alone"
        else:
            message = (
                f"you hold {mib(held)} of your {mib(quota)} storage quota and this needs {mib(needed)} more; "
                "purge finished jobs you no longer need (DELETE /api/jobs/{id}?purge=true: their maps are "
                "released at once, corpora and embeddings when they expire) or wait"
            )
            if first_expiry is not None:
                message += f" (the first stored data expires in {max(first_expiry - time.time(), 0) / 3600:.1f} h)"
        super().__init__(message)

    @property
    def never_fits(self) -> bool:
        return self.needed > self.quota


def mib(n: int) -> str:
    return f"{n / 1024**2:.1f} MiB"


def retry_after_s(error: OverQuota) -> int:
    """Seconds until the first of the owner's stored data expires (at least 1)."""
    return max(int((error.first_expiry or time.time() + 3600) - time.time()), 1)
