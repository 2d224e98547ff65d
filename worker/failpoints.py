"""Failpoints for the fault suite (tests/faults/): make a real worker fail at an exact point.

``TOPICMAP_FAILPOINTS="reduce=kill"`` makes this worker SIGKILL itself (no clean-up, like the OOM
killer) when a job's first attempt reaches the stage ``reduce``; ``store=sleep:5`` makes it wait 5 s
there, so a test can change the world (fill Redis, pause it) at that moment. Points: the pipeline's
stages (topicmap.schemas.STAGES) and ``store`` (just before the map is stored). Only first
attempts fail, so the job's next attempt (another worker, or this one restarted) shows recovery.
Unset (the default, and in production) nothing happens.
"""

from __future__ import annotations

import logging
import os
import signal
import time

logger = logging.getLogger("topicmap.worker")


def reached(point: str, attempt: int) -> None:
    """Act on the failpoint ``point`` if one is set for it and this is a job's first attempt."""
    spec = os.environ.get("TOPICMAP_FAILPOINTS", "")
    if not spec or attempt != 1:
        return
    actions = dict(item.split("=", 1) for item in spec.split(",") if "=" in item)
    action = actions.get(point)
    if action is None:
        return
    logger.warning("failpoint reached", extra={"point": point, "action": action})
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("sleep:"):
        time.sleep(float(action.removeprefix("sleep:")))
