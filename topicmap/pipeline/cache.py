"""Where topicmap keeps what it computes once per machine: the int8 model, numba's compiled code,
the embedding backend's choice (``TOPICMAP_CACHE_DIR``, default ``~/.cache/topicmap``)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    return Path(os.environ.get("TOPICMAP_CACHE_DIR", Path.home() / ".cache" / "topicmap"))
