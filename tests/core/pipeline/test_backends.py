"""Choosing the embedding backend: by the hardware, by a probe where two are close, forced by a
setting, remembered once per machine. Fakes for the probe: the real speeds are measured by
benchmarks.embedding, the real closeness by tests/core/pipeline/test_encoders_precision.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from topicmap.pipeline.backends import BackendChoice, choose_backend, remembered, slower_than_probed

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


def test_a_job_far_slower_than_its_backends_probe_is_reported() -> None:
    chosen = BackendChoice("torch-bf16", "the CPU has avx512_bf16", docs_per_s=200.0)
    message = slower_than_probed(chosen, documents=1500, seconds=320.0)  # the 4.7 docs/s of the OpenMP clash
    assert message is not None and "5 docs/s" in message and "torch-bf16" in message and "200" in message
    assert "TOPICMAP_EMBEDDING_BACKEND" in message
    assert slower_than_probed(chosen, documents=1500, seconds=20.0) is None  # 75 docs/s: long texts, plausible
    assert slower_than_probed(chosen, documents=100, seconds=320.0) is None  # too few to judge
    assert slower_than_probed(BackendChoice("torch", "forced"), documents=1500, seconds=320.0) is None  # no probe
    assert slower_than_probed(None, documents=1500, seconds=320.0) is None
