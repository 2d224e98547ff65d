"""topicmap's core: the map, its pipeline, edits, views, rendering and store. Imports no shell."""

import os as _os
import sys as _sys

# EVoC's NN-descent divides its work by numba's thread count and the graph it finds depends on that
# division: it always runs KNN_THREADS ways (topicmap/pipeline/reduce.py), which numba's thread pool,
# sized when numba is first imported, must allow. How many threads the stages really use is set per
# process by topicmap/pipeline/cores.py. (Once numba is imported its pool size is fixed: leave it.)
if "numba" not in _sys.modules:
    _os.environ.setdefault("NUMBA_NUM_THREADS", str(max(16, _os.cpu_count() or 1)))
