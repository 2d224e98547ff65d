"""Which embedding backend runs fastest on this machine, chosen once and remembered.

Candidates: ``onnx-int8`` (int8 weights, ONNX Runtime: fast on any x86 CPU), ``torch-bf16`` (torch
under bfloat16 autocast: fast where the CPU multiplies bfloat16 natively, AMX or AVX-512 BF16, and
closer to the fp32 reference than int8), ``torch`` (fp32) and, on CUDA, ``torch`` in fp16.

On a CPU with bfloat16 instructions both fast candidates are timed on a short fixed probe; bf16 wins
unless it is more than 10% slower (its vectors are fp32's, int8's are not quite), and only when its
vectors stay within cosine 0.99 of fp32 on the probe; elsewhere
the choice follows from the hardware. ``TOPICMAP_EMBEDDING_BACKEND`` forces one. The choice, its
reason and its docs/s are logged by the worker, written into each map (``meta.embedding``) and kept
in the cache (``backend-choice.json``, per CPU, model and library versions): later processes pay
nothing for it. A choice timed while other processes kept the CPUs busy is not remembered.
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
BF16_PREMIUM = 0.9
"""bf16 gives fp32's vectors (cosine 1.0000) where int8 moves them (0.996): it wins unless more than
10% slower."""
PROBE_COSINE = 0.99
"""bf16 is accepted only when every probe vector is this close to fp32 (the issue's bar)."""
_WORDS = (
    "package library tool server network file system data user support module driver font audio video "
    "game image text document python perl java web client service kernel shell utility interface manager "
    "provides contains allows simple fast small command line graphical development files documentation"
).split()
PROBE_TEXTS = [" ".join(_WORDS[(i * 7 + j * 3) % len(_WORDS)] for j in range(15 + (i * 37) % 76)) for i in range(192)]
"""A fixed probe like package descriptions: 192 texts of 15 to 90 words (about 20 to 110 tokens)."""


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
    if bf16_rate >= BF16_PREMIUM * int8_rate:  # as fast, or nearly, and the same vectors as fp32
        return BackendChoice("torch-bf16", f"the CPU has {', '.join(native)}: {measured}", bf16_rate)
    return BackendChoice("onnx-int8", f"the CPU has {', '.join(native)} but {measured}", int8_rate)


def probe_rate(encode: Callable[[list[str]], object], batch_size: int) -> float:
    """Docs/s of ``encode`` on the probe texts: the better of two passes, after a warm-up batch
    (the first calls of a session pick kernels and start threads)."""
    encode(PROBE_TEXTS[:batch_size])
    best = 0.0
    for _ in range(2):
        started = time.perf_counter()
        for start in range(0, len(PROBE_TEXTS), batch_size):
            encode(PROBE_TEXTS[start : start + batch_size])
        best = max(best, len(PROBE_TEXTS) / (time.perf_counter() - started))
    return best


def choice_file(key_parts: list[str], directory: Path) -> Path:
    key = hashlib.sha256("\n".join(key_parts).encode()).hexdigest()[:16]
    return directory / f"backend-choice-{key}.json"


def recall(key_parts: list[str], directory: Path) -> BackendChoice | None:
    """The choice made before on this machine and software, if any."""
    try:
        return BackendChoice(**json.loads(choice_file(key_parts, directory).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


@dataclass(frozen=True)
class CpuSample:
    """CPU time spent on this process's CPUs (all processes) and by this process, at a moment."""

    busy_s: float
    own_s: float
    at: float
    cpus: int


def cpu_sample(stat: Path = Path("/proc/stat")) -> CpuSample | None:
    """The CPU time spent so far on the CPUs this process may run on (``/proc/stat``'s lines of its
    affinity: user, nice, system, irq, softirq and steal, which a hypervisor took) and by this process
    itself; None where there is no ``/proc/stat``."""
    try:
        lines = stat.read_text().splitlines()
    except OSError:
        return None
    mine = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    ticks = 0
    for line in lines:
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or (mine is not None and int(name[3:]) not in mine):
            continue
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in [*fields, *"00000000"][:8])
        ticks += user + nice + system + irq + softirq + steal
    own = os.times()
    cpus = len(mine) if mine is not None else (os.cpu_count() or 1)
    return CpuSample(ticks / os.sysconf("SC_CLK_TCK"), own.user + own.system, time.monotonic(), cpus)


def others_cores(before: CpuSample | None, after: CpuSample | None) -> float:
    """How many of this process's CPUs other processes kept busy, on average, between two samples."""
    if before is None or after is None or after.at <= before.at:
        return 0.0
    others = (after.busy_s - before.busy_s) - (after.own_s - before.own_s)
    return max(0.0, others / (after.at - before.at))


BUSY_SPARE = 0.5
"""The probe's timings are the machine's when other processes used at most the cores the probe left
free plus half a core. Beyond that they are the load's: torch's threads wait on each other when a core
is taken (on 2 AMX cores beside a test suite, bf16 measured 35-47 docs/s against int8's 73-83; alone,
321 against 192), and a choice made then would be remembered for good."""


def remembered(
    key_parts: list[str],
    directory: Path,
    choose: Callable[[], BackendChoice],
    *,
    threads: int | None = None,
    sample: Callable[[], CpuSample | None] = cpu_sample,
) -> BackendChoice:
    """``choose()`` once per machine and software (the key), then read from ``directory``; a choice
    timed while other processes kept the CPUs busy (more than the cores the probe's ``threads`` left
    free, plus BUSY_SPARE) is used but not remembered: the next process measures again."""
    known = recall(key_parts, directory)
    if known is not None:
        return known
    path = choice_file(key_parts, directory)
    before = sample()
    choice = choose()
    after = sample()
    busy = others_cores(before, after)
    spare = max(0, after.cpus - (threads or after.cpus)) if after is not None else 0
    if choice.docs_per_s is not None and busy > spare + BUSY_SPARE:
        reason = f"{choice.reason} (other processes kept {busy:.1f} cores busy meanwhile: measured again next time)"
        return BackendChoice(choice.backend, reason, choice.docs_per_s)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        partial.write_text(json.dumps(asdict(choice)), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # a read-only cache: choose again next time
    return choice


SLOW_FACTOR = 8
"""A job embedding this many times slower than its backend's probe says something is wrong with the
machine, not with the texts (they are cut at 128 tokens: at most a few times the probe's cost)."""


def slower_than_probed(choice: BackendChoice | None, documents: int, seconds: float) -> str | None:
    """The operator's warning when ``documents`` took ``seconds`` to embed, far below the rate the
    backend measured when it was chosen (as when torch ran on numba's OpenMP runtime: ~40x slower,
    topicmap/pipeline/cores.py::load_torch_openmp_first); None when the rate is plausible."""
    if choice is None or not choice.docs_per_s or documents < 500 or seconds <= 0:
        return None
    rate = documents / seconds
    if rate * SLOW_FACTOR >= choice.docs_per_s:
        return None
    return (
        f"embedding ran at {rate:.0f} docs/s, under 1/{SLOW_FACTOR} of the {choice.docs_per_s:.0f} docs/s "
        f"that {choice.backend} measured when this machine chose it: another process competing for the "
        "cores, or a broken runtime. TOPICMAP_EMBEDDING_BACKEND forces a backend; deleting "
        "backend-choice-*.json in the cache folder makes the next process measure again."
    )
