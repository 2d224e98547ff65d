"""Choosing the embedding backend: by the hardware, by a probe where two are close, forced by a
setting, remembered once per machine. Fakes for the probe: the real speeds are measured by
benchmarks.embedding, the real closeness by tests/core/pipeline/test_encoders_precision.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from topicmap.pipeline.backends import (
    BackendChoice,
    CpuSample,
    choose_backend,
    cpu_sample,
    others_cores,
    recall,
    remembered,
    slower_than_probed,
)

AMX = {"avx512f", "amx_bf16", "avx512_bf16"}


def probe_of(rates: dict[str, float], cosine: float = 0.9999):
    asked: list[str] = []

    def probe(backend: str) -> tuple[float, float]:
        asked.append(backend)
        return rates[backend], cosine

    return probe, asked


def test_a_cpu_with_bf16_runs_the_faster_of_the_two() -> None:
    probe, asked = probe_of({"onnx-int8": 214, "torch-bf16": 307})
    choice = choose_backend("cpu", forced="auto", flags=AMX, has_onnx=True, probe=probe)
    assert choice.backend == "torch-bf16" and choice.docs_per_s == 307 and "amx_bf16" in choice.reason
    assert asked == ["onnx-int8", "torch-bf16"]
    probe, _ = probe_of({"onnx-int8": 250, "torch-bf16": 200})  # more than 10% slower
    assert choose_backend("cpu", forced="auto", flags=AMX, has_onnx=True, probe=probe).backend == "onnx-int8"
    probe, _ = probe_of({"onnx-int8": 234, "torch-bf16": 217})  # nearly as fast, and fp32's vectors
    assert choose_backend("cpu", forced="auto", flags=AMX, has_onnx=True, probe=probe).backend == "torch-bf16"


def test_bf16_that_strays_from_fp32_is_not_chosen() -> None:
    probe, _ = probe_of({"onnx-int8": 100, "torch-bf16": 900}, cosine=0.95)
    choice = choose_backend("cpu", forced="auto", flags=AMX, has_onnx=True, probe=probe)
    assert choice.backend == "onnx-int8" and "strayed" in choice.reason


def test_no_probe_where_the_hardware_decides() -> None:
    probe, asked = probe_of({})
    assert choose_backend("cpu", forced="auto", flags={"avx2"}, has_onnx=True, probe=probe).backend == "onnx-int8"
    assert choose_backend("cuda", forced="auto", flags=AMX, has_onnx=True, probe=probe).backend == "torch"
    assert choose_backend("cpu", forced="auto", flags=set(), has_onnx=False, probe=probe).backend == "torch"
    assert choose_backend("cpu", forced="auto", flags=AMX, has_onnx=False, probe=probe).backend == "torch-bf16"
    assert asked == []


def test_a_setting_forces_one() -> None:
    probe, asked = probe_of({})
    choice = choose_backend("cpu", forced="torch", flags=AMX, has_onnx=True, probe=probe)
    assert choice == BackendChoice("torch", "forced by TOPICMAP_EMBEDDING_BACKEND") and asked == []
    with pytest.raises(ValueError, match="unknown embedding backend 'fast'"):
        choose_backend("cpu", forced="fast", flags=AMX, has_onnx=True, probe=probe)
    with pytest.raises(ValueError, match="needs onnxruntime"):
        choose_backend("cpu", forced="onnx-int8", flags=AMX, has_onnx=False, probe=probe)


def test_the_choice_is_made_once_per_machine(tmp_path: Path) -> None:
    made: list[int] = []

    def choose() -> BackendChoice:
        made.append(1)
        return BackendChoice("torch-bf16", "measured", 300.0)

    first = remembered(["cpu A", "torch 2"], tmp_path, choose)
    again = remembered(["cpu A", "torch 2"], tmp_path, choose)
    other = remembered(["cpu B", "torch 2"], tmp_path, choose)
    assert first == again == other and len(made) == 2  # another CPU (or version) chooses again


def samples(*others_busy_s: float, cpus: int = 2):
    """Fake CPU samples one second apart: the probe's own 2 s of CPU, and what others added."""
    made = iter([CpuSample(0.0, 0.0, 0.0, cpus)] + [CpuSample(2.0 + busy, 2.0, 1.0, cpus) for busy in others_busy_s])
    return lambda: next(made)


def test_a_choice_timed_on_a_busy_machine_is_used_but_not_remembered(tmp_path: Path) -> None:
    def choose() -> BackendChoice:
        return BackendChoice("onnx-int8", "the CPU has amx_bf16 but 47 docs/s in bf16 vs 73 in int8", 73.0)

    busy = remembered(["cpu A"], tmp_path, choose, threads=2, sample=samples(1.5))
    assert busy.backend == "onnx-int8" and "1.5 cores busy" in busy.reason and "measured again" in busy.reason
    assert recall(["cpu A"], tmp_path) is None  # the next process measures again
    idle = remembered(["cpu A"], tmp_path, choose, threads=2, sample=samples(0.2))
    assert idle == choose() and recall(["cpu A"], tmp_path) == idle
    # The cores the probe left free may be busy: 1 thread of 8 leaves 7.
    assert recall(["cpu B"], tmp_path) is None
    remembered(["cpu B"], tmp_path, choose, threads=1, sample=samples(6.0, cpus=8))
    assert recall(["cpu B"], tmp_path) is not None


def test_a_choice_the_hardware_made_is_remembered_however_busy(tmp_path: Path) -> None:
    def choose() -> BackendChoice:
        return BackendChoice("onnx-int8", "no bfloat16 instructions")  # nothing timed

    remembered(["cpu C"], tmp_path, choose, threads=2, sample=samples(2.0))
    assert recall(["cpu C"], tmp_path) == choose()


def test_the_cpu_time_of_other_processes_is_measured(tmp_path: Path) -> None:
    """Two real busy loops beside this (sleeping) process: the CPUs it may use were busy."""
    cores = len(os.sched_getaffinity(0))
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(min(2, cores))]
    try:
        time.sleep(0.3)
        before = cpu_sample()
        time.sleep(1.0)
        after = cpu_sample()
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert before is not None and after is not None and after.cpus == cores
    assert others_cores(before, after) >= 0.8 * min(2, cores)
    # Only the lines of this process's CPUs count, and its own CPU time is not another's.
    stat = tmp_path / "stat"
    mine = sorted(os.sched_getaffinity(0))[0]
    stat.write_text(f"cpu  900 0 0 0 0 0 0 0\ncpu{mine} 100 0 50 9 9 0 0 10\ncpu4096 700 0 0 0 0 0 0 0\nintr 5\n")
    sample = cpu_sample(stat)
    assert sample is not None and sample.busy_s * os.sysconf("SC_CLK_TCK") == pytest.approx(160)


def test_a_job_far_slower_than_its_backends_probe_is_reported() -> None:
    chosen = BackendChoice("torch-bf16", "the CPU has avx512_bf16", docs_per_s=200.0)
    message = slower_than_probed(chosen, documents=1500, seconds=320.0)  # the 4.7 docs/s of the OpenMP clash
    assert message is not None and "5 docs/s" in message and "torch-bf16" in message and "200" in message
    assert "TOPICMAP_EMBEDDING_BACKEND" in message
    assert slower_than_probed(chosen, documents=1500, seconds=20.0) is None  # 75 docs/s: long texts, plausible
    assert slower_than_probed(chosen, documents=100, seconds=320.0) is None  # too few to judge
    assert slower_than_probed(BackendChoice("torch", "forced"), documents=1500, seconds=320.0) is None  # no probe
    assert slower_than_probed(None, documents=1500, seconds=320.0) is None
