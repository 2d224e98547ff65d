"""Which embedding backend runs fastest on this machine, chosen once and remembered.

Candidates: ``onnx-int8`` (int8 weights, ONNX Runtime: fast on any x86 CPU), ``torch-bf16`` (torch
under bfloat16 autocast: fast where the CPU multiplies bfloat16 natively, AMX or AVX-512 BF16, and
closer to the fp32 reference than int8), ``torch`` (fp32) and, on CUDA, ``torch`` in fp16.

On a CPU with bfloat16 instructions both fast candidates are timed on a short fixed probe and the
faster one wins (bf16 only when its vectors stay within cosine 0.99 of fp32 on the probe); elsewhere
the choice follows from the hardware. ``TOPICMAP_EMBEDDING_BACKEND`` forces one. The choice, its
reason and its docs/s are logged by the worker, written into each map (``meta.embedding``) and kept
in the cache (``backend-choice.json``, per CPU, model and library versions): later processes pay
nothing for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

BACKENDS = ("auto", "onnx-int8", "torch-bf16", "torch")
BF16_FLAGS = ("amx_bf16", "avx512_bf16")
PROBE_COSINE = 0.99
"""bf16 is accepted only when every probe vector is this close to fp32 (the issue's bar)."""
PROBE_TEXTS = [
    ("Utilities to manage packages and their dependencies on a Debian system " * (1 + i % 4)).strip() + f" variant {i}"
    for i in range(96)
]
"""A fixed probe: 96 texts of 12 to 48 words, three of each backend's batches."""


@dataclass(frozen=True)
class BackendChoice:
    backend: str
    reason: str
    docs_per_s: float | None = None
    """Measured on the probe (None when nothing was timed)."""


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def choose_backend(
    device: str,
    *,
    forced: str,
    flags: set[str],
    has_onnx: bool,
    probe: Callable[[str], tuple[float, float]],
) -> BackendChoice:
    """The backend for ``device``: ``forced`` unless "auto"; else by the hardware and, where two are
    close, by ``probe(backend) -> (docs/s, lowest cosine to fp32)``."""
    if forced not in BACKENDS:
        raise ValueError(f"unknown embedding backend {forced!r}; use one of: {', '.join(BACKENDS)}")
    if forced != "auto":
        if forced == "onnx-int8" and not has_onnx:
            raise ValueError("the onnx-int8 backend needs onnxruntime, which is not installed")
        return BackendChoice(forced, "forced by TOPICMAP_EMBEDDING_BACKEND")
    if device.startswith("cuda"):
        return BackendChoice("torch", "a CUDA GPU: torch in fp16")
    native = sorted(flags.intersection(BF16_FLAGS))
    if not has_onnx:
        if native:
            return BackendChoice("torch-bf16", f"no onnxruntime; the CPU has {', '.join(native)}")
        return BackendChoice("torch", "no onnxruntime and no bfloat16 instructions: torch fp32")
    if not native:
        return BackendChoice("onnx-int8", "no bfloat16 instructions (amx_bf16, avx512_bf16): int8 ONNX is fastest")
    int8_rate, _ = probe("onnx-int8")
    bf16_rate, bf16_cosine = probe("torch-bf16")
    measured = f"{bf16_rate:.0f} docs/s in bf16 vs {int8_rate:.0f} in int8 on the probe"
    if bf16_cosine < PROBE_COSINE:
        return BackendChoice("onnx-int8", f"bf16 strayed from fp32 (cosine {bf16_cosine:.3f}); {measured}", int8_rate)
    if bf16_rate > int8_rate:
        return BackendChoice("torch-bf16", f"the CPU has {', '.join(native)}: {measured}", bf16_rate)
    return BackendChoice("onnx-int8", f"the CPU has {', '.join(native)} but {measured}", int8_rate)


def probe_rate(encode: Callable[[list[str]], object], batch_size: int) -> float:
    """Docs/s of ``encode`` on the probe texts, after one warm-up batch."""
    encode(PROBE_TEXTS[:batch_size])
    started = time.perf_counter()
    for start in range(0, len(PROBE_TEXTS), batch_size):
        encode(PROBE_TEXTS[start : start + batch_size])
    return len(PROBE_TEXTS) / (time.perf_counter() - started)


def remembered(key_parts: list[str], directory: Path, choose: Callable[[], BackendChoice]) -> BackendChoice:
    """``choose()`` once per machine and software (the key), then read from ``directory``."""
    key = hashlib.sha256("\n".join(key_parts).encode()).hexdigest()[:16]
    path = directory / f"backend-choice-{key}.json"
    try:
        return BackendChoice(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    choice = choose()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        partial.write_text(json.dumps(asdict(choice)), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # a read-only cache: choose again next time
    return choice
