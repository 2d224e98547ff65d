"""User names and keys (topicmap/people.py); the store's side is tested against Redis in
tests/integration/test_people.py."""

from __future__ import annotations

import pytest

from topicmap.errors import Invalid
from topicmap.people import checked_name, hash_key, new_key


@pytest.mark.parametrize("name", ["ana", "a", "ops-team.2", "x" * 64, "0day_bot"])
def test_good_names(name: str) -> None:
    assert checked_name(name) == name


@pytest.mark.parametrize("name", ["", "Ana", "-ana", "a b", "x" * 65, "ana/../b", "é", "ana\n"])
def test_bad_names_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(Invalid, match="lower-case letters"):
        checked_name(name)


def test_keys_are_random_and_stored_only_as_hashes() -> None:
    (key, digest), (other, _) = new_key(), new_key()
    assert key != other and key.startswith("tm_") and len(key) > 40
    assert digest == hash_key(key) and key not in digest and len(digest) == 64
