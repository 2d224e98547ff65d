"""Document embeddings as Redis keeps them (float16), and reading a job's embeddings back.

numpy only: the worker stores embeddings (per corpus, or per text for a sharded job) and the API
process reads them back for edits that re-cluster (a split), without the embedding model.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from worker.jobstore import JobStore


def dump_array(vectors: npt.NDArray[np.float32]) -> bytes:
    """float16 halves the cache; the cosine geometry UMAP sees changes by < 1e-3."""
    buffer = io.BytesIO()
    np.save(buffer, vectors.astype(np.float16), allow_pickle=False)
    return buffer.getvalue()


def load_array(data: bytes) -> npt.NDArray[np.float32]:
    vectors = np.load(io.BytesIO(data), allow_pickle=False).astype(np.float32)
    return normalised(vectors)


def encode_rows(vectors: npt.NDArray[np.float32]) -> list[bytes]:
    """One float16 row of bytes per embedding (halves the store; cosine changes by < 1e-3)."""
    return [row.tobytes() for row in vectors.astype(np.float16)]


def decode_rows(rows: Sequence[bytes], dimensions: int) -> npt.NDArray[np.float32]:
    vectors = np.frombuffer(b"".join(rows), dtype=np.float16).reshape(len(rows), dimensions).astype(np.float32)
    return normalised(vectors)


def normalised(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.where(norms > 0, norms, 1), dtype=np.float32)


def stored_embeddings(
    store: JobStore, corpus: str, model: str, texts: Sequence[str], dimensions: int
) -> npt.NDArray[np.float32] | None:
    """The embeddings of a corpus's ``texts`` (rows in their order), L2-normalised: the corpus's
    own (an ordinary job), else each text's (a sharded job); None once any has expired."""
    blob = store.get_embeddings(corpus, model)
    if blob is not None:
        vectors = load_array(blob)
        return vectors if len(vectors) == len(texts) else None
    rows = store.get_vectors(model, texts)
    if not rows or any(row is None for row in rows):
        return None
    return decode_rows([row for row in rows if row is not None], dimensions)
