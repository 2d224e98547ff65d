"""umap's numba code is cached on disk (under topicmap's cache folder) once enable_jit_cache ran."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from pathlib import Path
from topicmap.pipeline.jit import enable_jit_cache
if sys.argv[2] == "on":
    assert enable_jit_cache(Path(sys.argv[1]))
import umap.layouts
import numba
caches = {type(getattr(umap.layouts, n)._cache).__name__ for n in dir(umap.layouts)
          if isinstance(getattr(umap.layouts, n), numba.core.registry.CPUDispatcher)}
print(" ".join(sorted(caches)))
print(enable_jit_cache(Path(sys.argv[1])))  # too late once umap is imported
"""


def caches(folder: Path, mode: str) -> list[str]:
    output = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", CHECK, str(folder), mode], capture_output=True, text=True, check=True
    ).stdout
    return output.split("\n")


def test_umap_functions_get_a_disk_cache(tmp_path: Path) -> None:
    enabled = caches(tmp_path / "numba", "on")
    assert "NullCache" not in enabled[0] and "FunctionCache" in enabled[0]
    default = caches(tmp_path / "numba", "off")
    assert "NullCache" in default[0]  # what umap does on its own: compile in every process
    assert default[1] == "False"
