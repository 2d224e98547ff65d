"""``topicmap warmup``: the pipeline's numba code compiled into the cache, the model prepared."""

from __future__ import annotations

import argparse
import sys


def warmup(args: argparse.Namespace) -> int:
    from topicmap.pipeline.cache import cache_dir
    from topicmap.pipeline.warmup import warm_up

    seconds = warm_up(args.model)
    print(f"topicmap: warmed up in {seconds:.1f} s (cache: {cache_dir()})", file=sys.stderr)
    return 0
