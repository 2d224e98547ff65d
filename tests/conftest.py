"""Shared fixtures: a deterministic hashing encoder (the unit-test fake) and small corpora."""

from __future__ import annotations

import csv
import hashlib
import os
import random
import re
from collections.abc import Sequence
from pathlib import Path

os.environ["TOPICMAP_ENV_FILE"] = ""  # a developer's .env (`make run` writes one) is not the tests' settings

import numpy as np
import numpy.typing as npt
import pytest

DATA = Path(__file__).parent / "data"
SAMPLE_CSV = DATA / "debian_sample.csv"


class HashingEncoder:
    """Bag of hashed words → unit vector. Texts sharing words get similar vectors; no model needed."""

    backend = "hashing"
    device = "cpu"
    batch_size = 32

    def __init__(self, dimensions: int = 64) -> None:
        self.dimensions = dimensions

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = int(hashlib.md5(word.encode()).hexdigest(), 16)
                vectors[row, digest % self.dimensions] += 1.0 if digest & 1 else -1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1)


TOPIC_WORDS = {
    "space": "rocket orbit planet astronaut launch moon satellite telescope galaxy",
    "cooking": "recipe oven flour butter sugar bake dough kitchen sauce",
    "football": "goal striker referee penalty league match stadium keeper coach",
    "finance": "stock market bond interest bank investor dividend inflation loan",
}


def planted_corpus(n_per_topic: int = 40, seed: int = 0) -> tuple[list[str], list[str]]:
    """Short texts from four clearly separated vocabularies, with their true topic."""
    rng = random.Random(seed)
    texts, truth = [], []
    for topic, words in TOPIC_WORDS.items():
        vocabulary = words.split()
        for _ in range(n_per_topic):
            texts.append(" ".join(rng.choices(vocabulary, k=8)) + " the and of")
            truth.append(topic)
    return texts, truth


@pytest.fixture
def hashing_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture(scope="session")
def sample_rows() -> list[dict[str, str]]:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
