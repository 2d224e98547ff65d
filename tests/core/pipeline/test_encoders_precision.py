"""Every backend ``auto`` may choose gives the fp32 vectors within cosine 0.99 (mean ≥ 0.995), on
real Debian descriptions; bf16 is checked where the CPU multiplies bfloat16 natively."""

from __future__ import annotations

import numpy as np
import pytest

from topicmap.pipeline.backends import BF16_FLAGS, cpu_flags
from topicmap.pipeline.embed import Embedder
from topicmap.pipeline.encoders import OnnxInt8Encoder, TorchEncoder, load_sentence_transformer, resolve_model_path
from topicmap.schemas import DEFAULT_MODEL

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def reference(sample_rows: list[dict[str, str]]) -> tuple[list[str], np.ndarray]:
    texts = [row["text"] for row in sample_rows[:300]]
    model = load_sentence_transformer(resolve_model_path(DEFAULT_MODEL), "cpu", 128)
    return texts, Embedder(encoder=TorchEncoder(model, "cpu")).fit(texts).embeddings_


def closeness(vectors: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    cosine = (vectors * reference).sum(axis=1)
    return float(cosine.mean()), float(cosine.min())


@pytest.mark.skipif(not cpu_flags() & set(BF16_FLAGS), reason="no bfloat16 instructions on this CPU")
def test_bf16_stays_with_fp32(reference: tuple[list[str], np.ndarray]) -> None:
    texts, expected = reference
    model = load_sentence_transformer(resolve_model_path(DEFAULT_MODEL), "cpu", 128)
    mean, lowest = closeness(
        Embedder(encoder=TorchEncoder(model, "cpu", precision="bf16")).fit(texts).embeddings_, expected
    )
    assert mean >= 0.995 and lowest >= 0.99, (mean, lowest)
    # The bf16 encoder holds its own bfloat16 copy of the linear layers: the fp32 model is untouched
    # (the backend probe still takes its reference vectors from it).
    np.testing.assert_allclose(TorchEncoder(model, "cpu").encode(texts[:4]), expected[:4], atol=1e-5)


def test_int8_stays_with_fp32(reference: tuple[list[str], np.ndarray]) -> None:
    texts, expected = reference
    path = resolve_model_path(DEFAULT_MODEL)
    encoder = OnnxInt8Encoder(load_sentence_transformer(path, "cpu", 128), path)
    mean, lowest = closeness(Embedder(encoder=encoder).fit(texts).embeddings_, expected)
    assert mean >= 0.995 and lowest >= 0.99, (mean, lowest)


def test_the_quick_start_gives_the_same_vectors(reference: tuple[list[str], np.ndarray], tmp_path: object) -> None:
    """A process that finds its int8 file and backend choice cached builds the encoder from the files
    alone (no torch): the same tokens, the same vectors as the full path."""
    from topicmap.pipeline.encoders import quick_onnx_encoder
    from topicmap.pipeline.onnx_export import quantised_path

    texts, _ = reference
    path = resolve_model_path(DEFAULT_MODEL)
    full = OnnxInt8Encoder(load_sentence_transformer(path, "cpu", 128), path)
    quick = quick_onnx_encoder(path, 128, "onnx-int8", "cpu")
    assert quick is not None and quantised_path(path).is_file()
    assert quick.dimensions == full.dimensions == 384
    long_text = " ".join(texts) * 3  # truncated at 128 tokens by both
    for batch in (texts[:16], [long_text, "short"]):
        assert np.array_equal(quick.encode(batch), full.encode(batch))
    assert quick_onnx_encoder(path, 128, "torch", "cpu") is None  # another backend: the full path


def test_padding_to_a_multiple_of_16_tokens_changes_no_vector(reference: tuple[list[str], np.ndarray]) -> None:
    """On a CPU torch batches are padded to a multiple of 16 tokens (fewer oneDNN kernels kept), never
    past the 128 the model reads; the padding is masked out of the vectors."""
    from topicmap.pipeline.encoders import token_arrays

    texts, expected = reference
    model = load_sentence_transformer(resolve_model_path(DEFAULT_MODEL), "cpu", 128)
    encoder = TorchEncoder(model, "cpu")
    assert encoder.width_multiple == 16
    batch = [texts[0][:60], texts[1][:90], "short"]
    tight = token_arrays(encoder.tokenizer, batch, encoder.input_names)
    padded = token_arrays(encoder.tokenizer, batch, encoder.input_names, 16)
    assert tight["input_ids"].shape[1] % 16 != 0 and padded["input_ids"].shape[1] % 16 == 0
    assert padded["attention_mask"].sum() == tight["attention_mask"].sum()  # the same tokens
    long = token_arrays(encoder.tokenizer, [" ".join(texts)], encoder.input_names, 48)
    assert long["input_ids"].shape[1] == 128  # capped where the tokenizer truncates, not 144
    encoder.width_multiple = 1
    np.testing.assert_allclose(encoder.encode(texts[:32]), expected[:32], atol=1e-5)
