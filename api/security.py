"""API keys: configured as SHA-256 hashes, compared in constant time; the key's name owns its jobs."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh random key and its hash (what goes in the settings)."""
    key = "tm_" + secrets.token_urlsafe(32)
    return key, hash_key(key)


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
