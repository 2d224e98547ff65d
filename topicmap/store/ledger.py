"""Every byte an owner makes Redis hold, counted atomically, until it expires.

Each owner has a ledger: ``ledger:{owner}`` (hash: stored thing → bytes, plus the running total
under the empty field) and ``ledger-due:{owner}`` (sorted set: stored thing → when it expires). A
stored thing is named by its Redis key (``tm:corpus:…``, ``tm:map:{id}:v2``), by key and field for
hash fields (``tm:artifacts:{id}#v2/map.html``), or by job for what is spread over many keys
(``tm:vec:job:{id}``: the per-text vectors a job wrote). One Lua script forgets what has expired,
then adds the new entries (a thing charged again replaces its bytes: same content, same cost) and,
when a quota is given, refuses the whole charge if it would take the total past the quota — the
check and the write are one step, so two requests cannot both squeeze under the limit.

Shared content (a corpus or its embeddings, stored once by hash) is charged to every owner who made
it be stored, until it expires; purging a job releases only what the job alone held, so
submit → cancel → purge in a loop cannot hold more than the quota.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from topicmap.errors import OverQuota
from topicmap.schemas import JobRecord
from topicmap.store.base import PREFIX, StoreBase

OWNERS = f"{PREFIX}ledger-owners"  # everyone with a ledger (for /api/stats), kept while any has entries
TOTAL = ""  # the hash field holding the running total (no stored thing has an empty name)

# KEYS: sizes hash, due zset, owners set. ARGV: now, quota (-1: none), ledger ttl, owner, then
# (name, bytes, due) triples from ARGV[5]. Returns {accepted (1/0), total after, earliest due or -1}.
CHARGE = """
local sizes, due = KEYS[1], KEYS[2]
local now, quota = tonumber(ARGV[1]), tonumber(ARGV[2])
for _, name in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', now)) do
  local held = tonumber(redis.call('HGET', sizes, name) or '0')
  redis.call('HINCRBY', sizes, '', -held)
  redis.call('HDEL', sizes, name)
  redis.call('ZREM', due, name)
end
local total = tonumber(redis.call('HGET', sizes, '') or '0')
local delta = 0
for i = 5, #ARGV, 3 do
  delta = delta + tonumber(ARGV[i + 1]) - tonumber(redis.call('HGET', sizes, ARGV[i]) or '0')
end
if quota >= 0 and delta > 0 and total + delta > quota then
  local first = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
  return {0, total, first[2] or '-1'}
end
for i = 5, #ARGV, 3 do
  redis.call('HSET', sizes, ARGV[i], ARGV[i + 1])
  redis.call('ZADD', due, ARGV[i + 2], ARGV[i])
end
total = total + delta
redis.call('HSET', sizes, '', total)
local ttl = tonumber(ARGV[3])
local last = redis.call('ZRANGE', due, -1, -1, 'WITHSCORES')
if last[2] then ttl = math.max(ttl, math.ceil(tonumber(last[2]) - now) + 60) end
redis.call('EXPIRE', sizes, ttl)
redis.call('EXPIRE', due, ttl)
if #ARGV >= 5 then
  redis.call('SADD', KEYS[3], ARGV[4])
  if redis.call('TTL', KEYS[3]) < ttl then redis.call('EXPIRE', KEYS[3], ttl) end
end
local first = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
return {1, total, first[2] or '-1'}
"""

# KEYS: sizes hash, due zset. ARGV: names. Returns the total after.
RELEASE = """
local sizes, due = KEYS[1], KEYS[2]
for _, name in ipairs(ARGV) do
  local held = redis.call('HGET', sizes, name)
  if held then
    redis.call('HINCRBY', sizes, '', -tonumber(held))
    redis.call('HDEL', sizes, name)
    redis.call('ZREM', due, name)
  end
end
return tonumber(redis.call('HGET', sizes, '') or '0')
"""


@dataclass(frozen=True)
class Held:
    """What an owner's ledger holds now: bytes, and when the first of them expires (None: nothing)."""

    bytes: int
    first_expiry: float | None


class Ledger(StoreBase):
    def charge(
        self,
        owner: str,
        sizes: Mapping[str, int],
        *,
        expires_at: float | None = None,
        quota: int | None = None,
    ) -> Held:
        """Count ``sizes`` (stored thing → bytes) toward ``owner``, until ``expires_at`` (default: the
        retention from now). With ``quota``, all or nothing: raises :class:`OverQuota` and counts
        nothing when the total would pass it."""
        now = time.time()
        due = expires_at if expires_at is not None else now + self.retention_s
        args: list[str | int | float] = [now, -1 if quota is None else quota, self.retention_s + 60, owner]
        for name, size in sizes.items():
            args += [name, int(size), due]
        accepted, total, first = cast(
            list[int | bytes],
            self.redis.eval(CHARGE, 3, *self._keys(owner), OWNERS, *args),  # type: ignore[no-untyped-call]
        )
        held = Held(int(total), None if float(first) < 0 else float(first))
        if not accepted:
            needed = sum(sizes.values())
            raise OverQuota(needed=needed, held=held.bytes, quota=cast(int, quota), first_expiry=held.first_expiry)
        return held

    def release(self, owner: str, names: Iterable[str]) -> int:
        """Stop counting ``names`` (they were deleted); returns the bytes still held."""
        listed = list(names)
        if not listed:
            return self.held(owner).bytes
        return int(self.redis.eval(RELEASE, 2, *self._keys(owner), *listed))  # type: ignore[no-untyped-call]

    def held(self, owner: str) -> Held:
        """The bytes ``owner`` holds now (what has expired no longer counts)."""
        return self.charge(owner, {})

    def held_names(self, owner: str) -> dict[str, int]:
        """Every stored thing counted for ``owner``, with its bytes (for tests and operators)."""
        self.held(owner)
        raw = self.redis.hgetall(self._keys(owner)[0])
        return {k.decode(): int(v) for k, v in raw.items() if k}  # type: ignore[union-attr]

    def held_by_owner(self) -> dict[str, int]:
        """Every owner's bytes held now (admins' statistics), largest first."""
        owners = sorted(o.decode() for o in self.redis.smembers(OWNERS))  # type: ignore[union-attr]
        held = {owner: self.held(owner).bytes for owner in owners}
        return dict(sorted(held.items(), key=lambda item: -item[1]))

    def charge_job(self, job_id: str, sizes: Mapping[str, int], *, expires_at: float | None = None) -> None:
        """Count what a job stored toward its owner (no quota check: the job was accepted)."""
        record = self.redis.get(f"{PREFIX}job:{job_id}")
        if record is not None:
            self.charge(JobRecord.model_validate_json(record).owner, sizes, expires_at=expires_at)

    def release_job(self, job_id: str, names: Iterable[str]) -> None:
        """Stop counting what a job stored and has deleted."""
        record = self.redis.get(f"{PREFIX}job:{job_id}")
        if record is not None:
            self.release(JobRecord.model_validate_json(record).owner, names)

    @staticmethod
    def _keys(owner: str) -> tuple[str, str]:
        return f"{PREFIX}ledger:{owner}", f"{PREFIX}ledger-due:{owner}"

    @staticmethod
    def artifact_name(job_id: str, name: str) -> str:
        return f"{PREFIX}artifacts:{job_id}#{name}"
