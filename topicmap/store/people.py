"""People and keys in Redis: records, not cache, so nothing here expires.

========================  =========================================================
user:{name}               JSON :class:`~topicmap.people.User`
users                     set of user names
key:{sha256}              JSON :class:`~topicmap.people.KeyInfo` of the key with this hash
keyid:{id}                the hash of key {id} (to revoke by id)
user-keys:{name}          set of the user's key ids
========================  =========================================================
"""

from __future__ import annotations

import time

import redis

from topicmap.errors import Conflict, NotFound
from topicmap.people import KeyInfo, Role, User, new_key_id
from topicmap.store.base import PREFIX, StoreBase

USERS = f"{PREFIX}users"
RECORD_KEYS = tuple(f"{PREFIX}{name}" for name in ("user:", "users", "key:", "keyid:", "user-keys:"))
"""The keys (prefixes) of people and their keys: records, which never expire."""
TOUCH_EVERY_S = 60.0
"""A key's last use is written at most this often (not on every request)."""


class People(StoreBase):
    def add_user(self, name: str, role: Role) -> User:
        user = User(name=name, role=role, created_at=time.time())
        if not self.redis.set(f"{PREFIX}user:{name}", user.model_dump_json(), nx=True):
            raise Conflict(f"a user named {name!r} exists already")
        self.redis.sadd(USERS, name)
        return user

    def get_user(self, name: str) -> User | None:
        data = self.redis.get(f"{PREFIX}user:{name}")
        return User.model_validate_json(data) if data else None  # type: ignore[arg-type]

    def list_users(self) -> list[User]:
        names = sorted(n.decode() for n in self.redis.smembers(USERS))  # type: ignore[union-attr]
        found = self.redis.mget([f"{PREFIX}user:{n}" for n in names]) if names else []
        return [User.model_validate_json(data) for data in found if data]

    def delete_user(self, name: str) -> User:
        """Remove the user and every key of theirs (their jobs stay, with their name as owner)."""
        user = self.get_user(name)
        if user is None:
            raise NotFound(f"no user {name!r}")
        for key in self.list_keys(name):
            self.revoke_key(key.id)
        pipe = self.redis.pipeline()
        pipe.delete(f"{PREFIX}user:{name}", f"{PREFIX}user-keys:{name}")
        pipe.srem(USERS, name)
        pipe.execute()
        return user

    def add_key(self, name: str, digest: str) -> KeyInfo:
        """Store a key (its hash) for user ``name``."""
        if self.get_user(name) is None:
            raise NotFound(f"no user {name!r}")
        info = KeyInfo(id=new_key_id(), user=name, created_at=time.time())
        pipe = self.redis.pipeline()
        pipe.set(f"{PREFIX}key:{digest}", info.model_dump_json())
        pipe.set(f"{PREFIX}keyid:{info.id}", digest)
        pipe.sadd(f"{PREFIX}user-keys:{name}", info.id)
        pipe.execute()
        return info

    def key_of_hash(self, digest: str) -> KeyInfo | None:
        """The key with this hash, its last use noted (at most once a minute)."""
        data = self.redis.get(f"{PREFIX}key:{digest}")
        if not data:
            return None
        info = KeyInfo.model_validate_json(data)  # type: ignore[arg-type]
        now = time.time()
        if info.last_used_at is None or now - info.last_used_at > TOUCH_EVERY_S:
            info.last_used_at = now
            try:  # best effort: a full Redis (noeviction) must not lock everyone out
                self.redis.set(f"{PREFIX}key:{digest}", info.model_dump_json(), xx=True)
            except redis.RedisError:
                pass
        return info

    def list_keys(self, name: str) -> list[KeyInfo]:
        ids = sorted(i.decode() for i in self.redis.smembers(f"{PREFIX}user-keys:{name}"))  # type: ignore[union-attr]
        digests = self.redis.mget([f"{PREFIX}keyid:{i}" for i in ids]) if ids else []
        found = self.redis.mget([f"{PREFIX}key:{d.decode()}" for d in digests if d]) if any(digests) else []
        keys = [KeyInfo.model_validate_json(data) for data in found if data]
        return sorted(keys, key=lambda k: k.created_at)

    def get_key(self, key_id: str) -> KeyInfo | None:
        digest = self.redis.get(f"{PREFIX}keyid:{key_id}")
        data = self.redis.get(f"{PREFIX}key:{digest.decode()}") if digest else None  # type: ignore[union-attr]
        return KeyInfo.model_validate_json(data) if data else None  # type: ignore[arg-type]

    def revoke_key(self, key_id: str) -> KeyInfo:
        """The key stops working at once."""
        info = self.get_key(key_id)
        digest = self.redis.get(f"{PREFIX}keyid:{key_id}")
        if info is None or digest is None:
            raise NotFound(f"no key {key_id[:32]!r}")
        pipe = self.redis.pipeline()
        pipe.delete(f"{PREFIX}key:{digest.decode()}", f"{PREFIX}keyid:{key_id}")  # type: ignore[union-attr]
        pipe.srem(f"{PREFIX}user-keys:{info.user}", key_id)
        pipe.execute()
        return info
