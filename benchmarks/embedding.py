"""Embedding backends compared: speed and closeness to the reference (torch fp32) embeddings.

    python -m benchmarks.embedding --size 3000 --out docs/benchmarks.md

Rows: torch fp32 at 256 tokens (the model's configured maximum, BERTopic's setting), torch fp32 at
128 tokens (what all-MiniLM-L6-v2 was trained with), int8 ONNX and torch under bfloat16 autocast at
128 tokens (topicmap's two fast CPU backends), and fp16 on CUDA where there is a GPU; then what
``auto`` chooses on this machine and why (topicmap/pipeline/backends.py). Cosine similarity is
measured per document against the torch fp32 reference at the same token length; the 128-vs-256
row shows what truncation alone changes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime
import torch

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.backends import cpu_flags
from topicmap.pipeline.embed import Embedder
from topicmap.pipeline.encoders import (
    Encoder,
    OnnxInt8Encoder,
    TorchEncoder,
    load_sentence_transformer,
    machine_choice,
    resolve_model_path,
)
from topicmap.schemas import DEFAULT_MODEL


def timed(encoder: Encoder, texts: list[str]) -> tuple[npt.NDArray[np.float32], float]:
    encoder.encode(texts[:64])  # first-call overheads stay out of the rate
    start = time.perf_counter()
    vectors = Embedder(encoder=encoder).fit(texts).embeddings_  # each backend's own batch size
    return vectors, len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    texts, _, _ = load_sample(args.data, args.size)
    path = resolve_model_path(DEFAULT_MODEL)
    long_reference, long_rate = timed(TorchEncoder(load_sentence_transformer(path, "cpu", 256), "cpu"), texts)
    reference, rate = timed(TorchEncoder(load_sentence_transformer(path, "cpu", 128), "cpu"), texts)
    quantised, quantised_rate = timed(OnnxInt8Encoder(load_sentence_transformer(path, "cpu", 128), path), texts)
    bf16_model = load_sentence_transformer(path, "cpu", 128)
    bf16, bf16_rate = timed(TorchEncoder(bf16_model, "cpu", precision="bf16"), texts)
    choice = machine_choice(path, "cpu", bf16_model)

    def closeness(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> str:
        cosine = (a * b).sum(axis=1)
        return f"{cosine.mean():.4f} | {np.percentile(cosine, 1):.4f} | {cosine.min():.4f}"

    rows = [
        "| backend | tokens | docs/s | speed-up | cosine mean | cosine 1st pct | cosine min | compared with |",
        "|---|---|---|---|---|---|---|---|",
        f"| torch fp32 | 256 | {long_rate:.0f} | 1.00 | 1 | 1 | 1 | itself |",
        f"| torch fp32 | 128 | {rate:.0f} | {rate / long_rate:.2f} | {closeness(reference, long_reference)} "
        "| torch fp32, 256 |",
        "| onnx int8 (MatMul per channel, layer-0 FFN fp32) | 128 "
        f"| {quantised_rate:.0f} | {quantised_rate / long_rate:.2f} "
        f"| {closeness(quantised, reference)} | torch fp32, 128 |",
        f"| torch bf16 (autocast) | 128 | {bf16_rate:.0f} | {bf16_rate / long_rate:.2f} "
        f"| {closeness(bf16, reference)} | torch fp32, 128 |",
    ]
    if torch.cuda.is_available():
        half, half_rate = timed(TorchEncoder(load_sentence_transformer(path, "cuda", 128), "cuda"), texts)
        rows.append(
            f"| torch fp16, CUDA | 128 | {half_rate:.0f} | {half_rate / long_rate:.2f} "
            f"| {closeness(half, reference)} | torch fp32, 128 |"
        )
    flags = " ".join(sorted(cpu_flags() & {"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8"}))
    report = (
        f"{args.size:,} Debian descriptions, each backend at its own batch size (torch 32, ONNX 16), "
        f"on {machine()}; CPU flags: {flags or 'none of note'}; torch {torch.__version__}, "
        f"onnxruntime {onnxruntime.__version__}.\n\n" + "\n".join(rows) + "\n\n"
        f"`auto` chooses **{choice.backend}** here: {choice.reason}."
    )
    print(report)
    if args.out:
        amx = "-amx" if "amx_bf16" in cpu_flags() else ""  # both kinds of CPU keep their block
        write_report(args.out, report, key=f"embedding-{args.size}{amx}")


if __name__ == "__main__":
    main()
