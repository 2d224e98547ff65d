"""Pure parts of the job runner: overall progress, ETA, the embedding cache format."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from topicmap.vectors import dump_array, load_array
from worker.progress import DeadlineExceeded, JobCancelled, ProgressReporter


class FakeStore:
    def __init__(self, cancelled: bool = False) -> None:
        self.cancelled = cancelled
        self.updates: list[dict[str, Any]] = []

    def cancel_requested(self, job_id: str) -> bool:
        return self.cancelled

    def update(self, job_id: str, **changes: Any) -> None:
        self.updates.append(changes)


def reporter(store: FakeStore, now: list[float], deadline: float = 100.0, skip: bool = False) -> ProgressReporter:
    return ProgressReporter(store, "job", deadline, skip_embedding=skip, clock=lambda: now[0], started=0.0)  # type: ignore[arg-type]


def test_fraction_grows_through_the_stages() -> None:
    report = reporter(FakeStore(), [0.0])
    values = [
        report.fraction("load_model", 1, 1),
        report.fraction("embed", 50, 100),
        report.fraction("embed", 100, 100),
        report.fraction("reduce", 0, 1),
        report.fraction("score", 1, 1),
    ]
    assert values == sorted(values) and values[-1] == pytest.approx(1.0)
    assert 0.3 < values[1] < 0.4


def test_cached_embeddings_weigh_nothing() -> None:
    report = reporter(FakeStore(), [0.0], skip=True)
    assert report.fraction("reduce", 0, 1) == 0.0
    assert report.fraction("cluster", 0, 1) > 0.5


def test_progress_is_written_with_an_eta_and_throttled() -> None:
    store, now = FakeStore(), [10.0]
    report = reporter(store, now)
    report("embed", 50, 100)
    report("embed", 51, 100)  # same stage within the interval: not written
    now[0] = 20.0
    report("embed", 100, 100)
    assert len(store.updates) == 2
    first = store.updates[0]
    assert first["stage"] == "embed" and first["progress"].done == 50 and first["eta_s"] > 0


def test_cancel_and_deadline_stop_the_run() -> None:
    with pytest.raises(JobCancelled):
        reporter(FakeStore(cancelled=True), [0.0])("embed", 1, 10)
    with pytest.raises(DeadlineExceeded):
        reporter(FakeStore(), [101.0])("embed", 1, 10)


def test_embedding_cache_round_trip_keeps_the_geometry() -> None:
    vectors = np.random.default_rng(0).normal(size=(50, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    restored = load_array(dump_array(vectors))
    assert restored.dtype == np.float32 and restored.shape == vectors.shape
    assert np.abs((restored * vectors).sum(axis=1) - 1).max() < 1e-3
