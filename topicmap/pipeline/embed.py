"""Embed documents: each distinct text once, in length-sorted batches, with progress per batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from topicmap.pipeline.encoders import Encoder, load_encoder
from topicmap.schemas import DEFAULT_MODEL

BatchCallback = Callable[[int, int], None]
"""Called after every batch with (texts done, texts total)."""


class Embedder:
    """Sentence embeddings for a list of texts.

    Parameters
    ----------
    model : str, default="all-MiniLM-L6-v2"
        The shipped default model or a local sentence-transformers model directory.
    backend : {"auto", "onnx-int8", "torch"}, default="auto"
        ``auto`` picks int8 ONNX Runtime on CPU and torch on CUDA.
    device : str, default="auto"
    batch_size : int, optional
        Texts per batch; default: what the encoder runs fastest (16 for int8 ONNX on CPU).
    encoder : Encoder, optional
        A ready encoder (tests pass a fake); overrides model, backend and device.

    Attributes
    ----------
    embeddings_ : ndarray of shape (n_texts, dimensions), float32
        L2-normalised embeddings, in the order of the input.
    n_unique_ : int
        Distinct texts actually embedded.
    encoder_ : Encoder
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL,
        backend: str = "auto",
        device: str = "auto",
        batch_size: int | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.model = model
        self.backend = backend
        self.device = device
        self.batch_size = batch_size
        self.encoder = encoder

    def fit(self, texts: Sequence[str], on_batch: BatchCallback | None = None) -> Embedder:
        if not texts:
            raise ValueError("no texts to embed")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.encoder_ = self.encoder or load_encoder(self.model, self.backend, self.device)
        batch_size = self.batch_size or self.encoder_.batch_size
        unique, inverse = unique_texts(texts)
        self.n_unique_ = len(unique)
        # Sorting by length keeps padding, and so wasted compute, small within each batch.
        order = np.argsort([len(text) for text in unique], kind="stable")
        vectors = np.empty((len(unique), self.encoder_.dimensions), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            vectors[batch] = self.encoder_.encode([unique[i] for i in batch])
            if on_batch is not None:
                on_batch(min(start + batch_size, len(order)), len(order))
        self.embeddings_ = vectors[inverse]
        return self


def unique_texts(texts: Sequence[str]) -> tuple[list[str], npt.NDArray[np.intp]]:
    """Distinct texts in first-seen order, and for each input the index of its distinct text."""
    positions: dict[str, int] = {}
    inverse = np.fromiter(
        (positions.setdefault(text, len(positions)) for text in texts), dtype=np.intp, count=len(texts)
    )
    return list(positions), inverse
