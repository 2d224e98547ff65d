"""Progress events without polling: one Redis pub/sub subscription per API process, fanned out.

Every change of a job record is published by the job store on ``tm:events:{id}`` (the record's
JSON), and ``tm:events:queue`` when a job leaves the queue. The hub holds one pattern subscription
to ``tm:events:*`` per process and wakes the streams listening to that job; an idle stream costs
no Redis command at all, whatever the number of open streams.

A listener keeps only the latest record (a slow client skips intermediate states, never falls
behind). After a reconnection, or when the queue moved, listeners are told to re-read the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from topicmap.store import PREFIX, QUEUE_EVENTS

logger = logging.getLogger("topicmap.api")
RESYNC = b""
"""Delivered instead of a record when the listener should read the record itself."""


class Listener:
    """The latest message for one open stream."""

    def __init__(self) -> None:
        self.latest: bytes | None = None
        self.changed = asyncio.Event()

    def push(self, message: bytes) -> None:
        self.latest = message
        self.changed.set()

    async def next(self, timeout: float) -> bytes | None:
        """The latest record JSON, ``RESYNC``, or None when nothing changed within ``timeout``."""
        try:
            await asyncio.wait_for(self.changed.wait(), timeout)
        except TimeoutError:
            return None
        self.changed.clear()
        message, self.latest = self.latest, None
        return message


class ProgressHub:
    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.listeners: dict[str, set[Listener]] = defaultdict(set)
        self.subscribed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def listen(self, job_id: str) -> AsyncIterator[Listener]:
        """A listener for ``job_id``'s changes; subscribed before it is handed out (when Redis answers)."""
        listener = Listener()
        self.listeners[job_id].add(listener)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(), name="topicmap-progress-hub")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.subscribed.wait(), 5)  # else a reconnection will RESYNC it
        try:
            yield listener
        finally:
            self.listeners[job_id].discard(listener)
            if not self.listeners[job_id]:
                del self.listeners[job_id]

    async def _run(self) -> None:
        reconnecting = False
        while True:
            client = aioredis.Redis.from_url(self.redis_url, socket_connect_timeout=5, health_check_interval=30)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{PREFIX}events:*")
                    self.subscribed.set()
                    if reconnecting:  # streams may have missed changes while unsubscribed
                        self._broadcast(RESYNC)
                    reconnecting = True
                    async for message in pubsub.listen():
                        if message["type"] == "pmessage":
                            self._dispatch(message["channel"].decode(), message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reconnecting = True
                logger.warning("progress subscription lost; reconnecting", extra={"error": str(exc)})
            finally:
                self.subscribed.clear()
                await client.aclose()  # type: ignore[attr-defined]  # redis-py 5; missing from types-redis
            await asyncio.sleep(1)

    def _dispatch(self, channel: str, data: bytes) -> None:
        if channel == QUEUE_EVENTS:
            self._broadcast(RESYNC)  # queue positions moved
            return
        for listener in self.listeners.get(channel.removeprefix(f"{PREFIX}events:"), ()):
            listener.push(data)

    def _broadcast(self, message: bytes) -> None:
        for listeners in self.listeners.values():
            for listener in listeners:
                listener.push(message)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


_hubs: dict[str, ProgressHub] = {}


def hub_for(redis_url: str) -> ProgressHub:
    """The process's hub (created on first use, inside the running event loop)."""
    if redis_url not in _hubs:
        _hubs[redis_url] = ProgressHub(redis_url)
    return _hubs[redis_url]


async def close_hubs() -> None:
    for hub in _hubs.values():
        await hub.close()
    _hubs.clear()
