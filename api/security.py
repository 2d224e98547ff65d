"""Keys configured in ``TOPICMAP_API_KEYS`` (admins): SHA-256 hashes, compared in constant time.
Keys of users made through the API or ``topicmap users`` are in Redis (topicmap/store/people.py)."""

from __future__ import annotations

import hmac

from topicmap.people import hash_key, new_key

__all__ = ["hash_key", "new_key", "owner_of", "parse_keys"]


def parse_keys(setting: str) -> dict[str, str]:
    """``name:hash,name2:hash2`` → {hash: name}."""
    keys = {}
    for entry in filter(None, (part.strip() for part in setting.split(","))):
        name, _, digest = entry.partition(":")
        if not name or len(digest) != 64:
            raise ValueError(f"bad API key entry {entry[:20]!r}: expected name:sha256hex")
        keys[digest.lower()] = name
    return keys


def owner_of(key: str, keys: dict[str, str]) -> str | None:
    """The name of ``key``, comparing its hash with every configured hash in constant time."""
    presented = hash_key(key)
    owner = None
    for digest, name in keys.items():
        if hmac.compare_digest(presented, digest):
            owner = name
    return owner
