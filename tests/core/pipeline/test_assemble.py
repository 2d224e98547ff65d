"""Building the map's columns: rounding by numpy gives Python's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from topicmap.pipeline.assemble import rounded


@pytest.mark.parametrize("decimals", [3, 4])
def test_float32_values_round_as_python_rounds_them(decimals: int) -> None:
    rng = np.random.default_rng(decimals)
    values = np.concatenate(
        [
            rng.random(200_000) * 2 - 1,
            rng.normal(scale=8, size=50_000),
            np.arange(-4096, 4096) / 4096,  # exact binary halves at the rounding digit: half to even
            np.arange(0, 2000) / 1000 + 0.0005,  # just off a decimal half, either side after float32 rounding
        ]
    ).astype(np.float32)
    expected = [round(v, decimals) for v in values.tolist()]
    assert rounded(values, decimals) == expected
    assert rounded(values.reshape(-1, 2), decimals) == [expected[i : i + 2] for i in range(0, len(expected), 2)]


def test_other_dtypes_fall_back_to_python_round() -> None:
    values = np.array([[0.12345678901, 2.5e-5], [1 / 3, -0.00005]])
    assert rounded(values, 4) == [[round(float(v), 4) for v in row] for row in values]
