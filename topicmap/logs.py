"""One JSON object per log line on stdout (time, level, logger, message, job_id, stage, duration…).

``docker logs -f worker | grep <job id>`` follows one job. Shared by the API and the worker.
"""

from __future__ import annotations

import logging
import os
import sys

from pythonjsonlogger.json import JsonFormatter

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            FIELDS,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("TOPICMAP_LOG_LEVEL", "INFO"))
    for noisy in ("httpx", "sentence_transformers", "numba", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn and celery install plain-text handlers of their own: send everything through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task", "celery.worker"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
