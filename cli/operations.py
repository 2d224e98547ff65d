"""``topicmap backup|restore|library``: an operator's commands on the service's Redis and map archive
(TOPICMAP_REDIS_URL and TOPICMAP_ARCHIVE_*, or --redis-url), run on the server while it runs."""

from __future__ import annotations

import argparse
import sys

from cli.messages import fail


def operate(args: argparse.Namespace) -> int:
    import redis

    from topicmap.backup import back_up, restore_backup
    from topicmap.kept import rebuild_index
    from topicmap.settings import SharedSettings
    from topicmap.store import JobStore

    settings = SharedSettings()
    url = args.redis_url or settings.redis_url
    store, archive = JobStore.from_url(url), settings.archive()
    try:
        if args.command == "backup":
            done = back_up(store, archive, args.folder)
            print(f"topicmap: backed up {done.records} records and {done.maps} kept maps ({done.bytes} bytes) from "
                  f"{archive.where}", file=sys.stderr)  # fmt: skip
        elif args.command == "restore":
            done = restore_backup(store, archive, args.folder)
            print(f"topicmap: restored {done.records} records and {done.maps} kept maps into {archive.where}",
                  file=sys.stderr)  # fmt: skip
        else:
            entries = rebuild_index(store, archive)
            print(f"topicmap: the library lists {len(entries)} kept maps from {archive.where}", file=sys.stderr)
    except redis.ConnectionError as exc:
        return fail(f"cannot reach Redis at {url.split('@')[-1]}: {exc} (set TOPICMAP_REDIS_URL or --redis-url)")
    return 0
