from __future__ import annotations

import pytest

from api.security import hash_key, new_key, owner_of, parse_keys


def test_new_keys_are_random_and_hash_to_their_digest() -> None:
    key, digest = new_key()
    other, _ = new_key()
    assert key != other and key.startswith("tm_") and len(key) > 40
    assert hash_key(key) == digest and len(digest) == 64


def test_owner_lookup() -> None:
    alice, alice_hash = new_key()
    _, bob_hash = new_key()
    keys = parse_keys(f"alice:{alice_hash}, bob:{bob_hash}")
    assert owner_of(alice, keys) == "alice"
    assert owner_of("tm_guess", keys) is None
    assert owner_of(alice_hash, keys) is None  # the hash itself is not a key


@pytest.mark.parametrize("setting", ["alice", "alice:123", ":" + "a" * 64])
def test_bad_key_settings_are_refused(setting: str) -> None:
    with pytest.raises(ValueError, match="expected name:sha256hex"):
        parse_keys(setting)


def test_empty_setting_means_no_keys() -> None:
    assert parse_keys("") == {}
