"""Shares of maps in Redis: records, like people (they go when revoked or when their job is purged).

========================  =========================================================
shares:{job}              hash: share id → JSON :class:`~topicmap.shares.Share`
shared-with:{user}        set of the job ids shared with a user
share-token:{sha256}      "{job} {share id}" of a link's token
share-link:{job}:{id}     the hash of link {id}'s token (to revoke it)
========================  =========================================================
"""

from __future__ import annotations

import time

import redis

from topicmap.errors import NotFound
from topicmap.shares import Share, ShareRole, new_share_id
from topicmap.store.base import PREFIX, StoreBase

SHARE_KEYS = tuple(f"{PREFIX}{name}" for name in ("shares:", "shared-with:", "share-token:", "share-link:"))
TOUCH_EVERY_S = 60.0


class Shares(StoreBase):
    def share_with(self, job: str, user: str, role: ShareRole, by: str) -> Share:
        """Share ``job`` with ``user``; sharing again changes the role."""
        share = self.share_of(job, user) or Share(
            id=new_share_id(), job=job, user=user, role=role, created_at=time.time(), created_by=by
        )
        share.role = role
        pipe = self.redis.pipeline()
        pipe.hset(f"{PREFIX}shares:{job}", share.id, share.model_dump_json())
        pipe.sadd(f"{PREFIX}shared-with:{user}", job)
        pipe.execute()
        return share

    def add_link(self, job: str, digest: str, by: str, expires_at: float | None) -> Share:
        share = Share(
            id=new_share_id(), job=job, role="viewer", created_at=time.time(), created_by=by, expires_at=expires_at
        )
        pipe = self.redis.pipeline()
        pipe.hset(f"{PREFIX}shares:{job}", share.id, share.model_dump_json())
        pipe.set(f"{PREFIX}share-token:{digest}", f"{job} {share.id}")
        pipe.set(f"{PREFIX}share-link:{job}:{share.id}", digest)
        pipe.execute()
        return share

    def list_shares(self, job: str) -> list[Share]:
        found = self.redis.hvals(f"{PREFIX}shares:{job}")
        return sorted((Share.model_validate_json(data) for data in found), key=lambda s: s.created_at)

    def share_of(self, job: str, user: str) -> Share | None:
        return next((s for s in self.list_shares(job) if s.user == user), None)

    def link_of_token(self, digest: str) -> Share | None:
        """The link with this token's hash, unless revoked or expired; its last use noted."""
        found = self.redis.get(f"{PREFIX}share-token:{digest}")
        if not found:
            return None
        job, share_id = found.decode().split(" ", 1)  # type: ignore[union-attr]
        data = self.redis.hget(f"{PREFIX}shares:{job}", share_id)
        if not data:
            return None
        share = Share.model_validate_json(data)
        now = time.time()
        if share.expires_at is not None and now > share.expires_at:
            return None
        if share.last_used_at is None or now - share.last_used_at > TOUCH_EVERY_S:
            share.last_used_at = now
            try:  # best effort, as for keys
                self.redis.hset(f"{PREFIX}shares:{job}", share_id, share.model_dump_json())
            except redis.RedisError:
                pass
        return share

    def shared_with(self, user: str) -> list[str]:
        return sorted(j.decode() for j in self.redis.smembers(f"{PREFIX}shared-with:{user}"))  # type: ignore[union-attr]

    def revoke_share(self, job: str, share_id: str) -> Share:
        data = self.redis.hget(f"{PREFIX}shares:{job}", share_id)
        if not data:
            raise NotFound(f"no share {share_id[:32]!r} of job {job[:64]}")
        share = Share.model_validate_json(data)
        self._forget(share)
        return share

    def drop_shares(self, job: str) -> None:
        """Every share of a job (when it is purged)."""
        for share in self.list_shares(job):
            self._forget(share)

    def _forget(self, share: Share) -> None:
        pipe = self.redis.pipeline()
        pipe.hdel(f"{PREFIX}shares:{share.job}", share.id)
        if share.user is not None:
            pipe.srem(f"{PREFIX}shared-with:{share.user}", share.job)
        if share.is_link:
            digest = self.redis.get(f"{PREFIX}share-link:{share.job}:{share.id}")
            if digest:
                pipe.delete(f"{PREFIX}share-token:{digest.decode()}")  # type: ignore[union-attr]
            pipe.delete(f"{PREFIX}share-link:{share.job}:{share.id}")
        pipe.execute()
