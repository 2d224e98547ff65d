"""``topicmap users``: people and keys, straight in Redis (for operators on the server: the first
admin is made here, without the API)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.messages import fail

if TYPE_CHECKING:
    from topicmap.store import JobStore


def users(args: argparse.Namespace) -> int:
    import redis

    from topicmap.settings import SharedSettings
    from topicmap.store import JobStore

    url = args.redis_url or SharedSettings().redis_url
    try:
        return manage(JobStore.from_url(url), args)
    except redis.ConnectionError as exc:
        return fail(f"cannot reach Redis at {url.split('@')[-1]}: {exc} (set TOPICMAP_REDIS_URL or --redis-url)")


def manage(store: JobStore, args: argparse.Namespace) -> int:
    from topicmap.people import checked_name, new_key

    if args.action == "add":
        if not args.name:
            return fail("topicmap users add NAME [--role admin|member]")
        name = checked_name(args.name)
        store.add_user(name, args.role)
        key, digest = new_key()
        info = store.add_key(name, digest)
        print(f"topicmap: user {name} ({args.role}) added with key {info.id}; the key is shown once:", file=sys.stderr)
        print(key)
    elif args.action == "list":
        users = store.list_users()
        for user in users:
            keys = store.list_keys(user.name)
            print(f"{user.name}\t{user.role}\t{len(keys)} key(s): {', '.join(k.id for k in keys) or '-'}")
        if not users:
            print(
                "topicmap: no users in this Redis yet (keys set in TOPICMAP_API_KEYS are not users); "
                "make the first admin: topicmap users add NAME --role admin",
                file=sys.stderr,
            )
    elif args.key:  # revoke one key
        info = store.revoke_key(args.key)
        print(f"topicmap: key {info.id} of {info.user} revoked", file=sys.stderr)
    elif args.name:  # revoke a person: the user and every key of theirs
        user = store.delete_user(args.name)
        print(
            f"topicmap: user {user.name} removed, with their keys (their jobs stay until they expire)", file=sys.stderr
        )
    else:
        return fail("topicmap users revoke NAME, or topicmap users revoke --key ID")
    return 0
