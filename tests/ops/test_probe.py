"""The speed probe benchmarks print beside their tables (benchmarks/probe.py)."""

from __future__ import annotations

import math
from typing import Any

from benchmarks.probe import probe_line, speed_probe
from benchmarks.threads import POST_EMBEDDING, report


def test_the_probe_times_its_workload() -> None:
    seconds = speed_probe(rounds=2)
    assert math.isfinite(seconds) and 0 < seconds < 60


def cores_result(**extra: Any) -> dict[str, Any]:
    run = {
        "cores": 2,
        "stages": dict.fromkeys(POST_EMBEDDING, 1.0),
        "assembly_s": 0.5,
        "after_embedding_s": 7.5,
        "topics": 3,
        "digest": "abc",
    }
    return {"documents": 1000, "machine": "a machine", "versions": "some versions", "runs": [run], **extra}


def test_the_cores_table_says_how_fast_the_machine_was_when_it_was_measured() -> None:
    assert "Speed probe 0.43 s" in report(cores_result(probe_s=0.432))
    assert "Speed probe" not in report(cores_result())  # results measured before the probe existed
    assert probe_line(None) == ""
