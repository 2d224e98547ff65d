"""How the command line reports a problem: one line on stderr and an exit code."""

from __future__ import annotations

import sys

EXIT_USAGE = 2


EXIT_INTERNAL = 1


def fail(message: str) -> int:
    print(f"topicmap: error: {message}", file=sys.stderr)
    return EXIT_USAGE
