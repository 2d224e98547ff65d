"""The Redis connection every part of the store shares, and the names of its shared keys."""

from __future__ import annotations

from typing import Any, Self

import redis

PREFIX = "tm:"
QUEUE = f"{PREFIX}queue"
RUNNING = f"{PREFIX}running"
WORKERS = f"{PREFIX}workers"
STATS = f"{PREFIX}stats"
QUEUE_EVENTS = f"{PREFIX}events:queue"
WEBHOOKS = f"{PREFIX}webhooks"

# Atomically take the webhooks due now and push their due time forward by a lease, so a process
# that dies mid-delivery leaves them to another one after the lease.
CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return due
"""
HEARTBEAT_INTERVAL_S = 5.0
RECENT_DURATIONS = 50


class StoreBase:
    """A Redis client and the retention that applies to everything a job owns."""

    def __init__(self, client: redis.Redis[bytes], *, retention_s: int = 7 * 24 * 3600) -> None:
        self.redis = client
        self.retention_s = retention_s

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Self:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=25)
        return cls(client, **kwargs)
