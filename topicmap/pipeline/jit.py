"""Cache numba's compiled code on disk, so a second process pays no JIT compilation.

umap-learn compiles about 120 numba functions on first use (several seconds per process), and marks
only one of them ``cache=True``; pynndescent caches about half of its own. Before either is imported,
:func:`enable_jit_cache` makes ``cache=True`` the default of ``numba.njit``/``numba.jit`` and points
numba's cache at ``{TOPICMAP_CACHE_DIR}/numba``. Functions numba cannot cache (dynamic globals,
lifted loops) are compiled as before. Numbers: docs/benchmarks.md ("JIT warm-up").
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _caching(decorator: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(decorator)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cache", True)
        return decorator(*args, **kwargs)

    wrapper.__topicmap_caching__ = True  # type: ignore[attr-defined]
    return wrapper


@functools.cache
def enable_jit_cache(directory: Path) -> bool:
    """Make numba cache compiled functions in ``directory``; False when umap was imported first."""
    if "umap" in sys.modules or "pynndescent" in sys.modules:
        return False  # their functions are already decorated: nothing to change
    directory.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NUMBA_CACHE_DIR", str(directory))
    import numba
    from numba.core import config
    from numba.core.errors import NumbaWarning

    config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]  # type: ignore[attr-defined]  # set at runtime by numba
    if not getattr(numba.njit, "__topicmap_caching__", False):
        numba.njit = _caching(numba.njit)
        numba.jit = _caching(numba.jit)
    # "cannot cache function …" for the few that numba cannot cache: expected, not actionable.
    warnings.filterwarnings("ignore", message=".*[Cc]annot cache.*", category=NumbaWarning)
    return True
