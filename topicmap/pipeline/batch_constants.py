"""The batch optimiser's numbers, shared by its CPU code (batch_layout.py) and its CUDA kernels (gpu.py)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ADAM_BETA1 = 0.5
ADAM_BETA2 = 0.9
ADAM_EPSILON = 1e-7
NEGATIVE_SAMPLE_RATE = 5
GRADIENT_CLIP = 4.0
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# splitmix64's multipliers: the counter-based generator of negative samples
SPLITMIX_M1 = np.uint64(0xBF58476D1CE4E5B9)
SPLITMIX_M2 = np.uint64(0x94D049BB133111EB)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
