"""Seeded topics (topicmap/pipeline/seeds.py) through the pipeline, with the hashing encoder."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from tests.conftest import TOPIC_WORDS, HashingEncoder, planted_corpus
from topicmap.pipeline.run import run_pipeline
from topicmap.pipeline.seeds import match_seeds, unmatched_warnings
from topicmap.schemas import PipelineParams
from topicmap.seed_topics import SeedTopic


def test_documents_close_to_a_seed_join_it_and_the_rest_are_clustered() -> None:
    texts, truth = planted_corpus(40)
    ids = [str(i) for i in range(len(texts))]
    seeds = [
        # The filler words every planted text has: similarities to the seed vary, as with a real model.
        SeedTopic(label="Cooking", description=TOPIC_WORDS["cooking"] + " the and of"),
        SeedTopic(label="Quantum chromodynamics", description="gluon quark hadron lattice"),
    ]
    params = PipelineParams(min_topic_size=5, seed_topics=seeds)
    topic_map = run_pipeline(texts, ids, params, encoder=HashingEncoder(dimensions=1024))  # few collisions
    [cooking] = [t for t in topic_map.topics if t.label == "Cooking"]
    assert cooking.named_by == "person" and cooking.terms  # its terms computed as for any topic
    members = [truth[row] for row, t in enumerate(topic_map.documents.topic) if t == cooking.id]
    assert members.count("cooking") / len(members) > 0.9 and members.count("cooking") >= 30
    others = {t.id for t in topic_map.topics if t.id not in (cooking.id, -1)}
    assert others  # the rest were clustered
    assert not any(t.label == "Quantum chromodynamics" for t in topic_map.topics)
    assert [w for w in topic_map.meta.warnings if "Quantum chromodynamics" in w and "matched no document" in w]


def test_without_seeds_the_map_is_unchanged() -> None:
    texts, _ = planted_corpus(30)
    ids = [str(i) for i in range(len(texts))]
    plain = run_pipeline(texts, ids, PipelineParams(min_topic_size=5), encoder=HashingEncoder())
    again = run_pipeline(texts, ids, PipelineParams(min_topic_size=5, seed_topics=[]), encoder=HashingEncoder())
    assert plain.documents.topic == again.documents.topic and plain.meta.warnings == []


def test_a_document_joins_the_seed_it_stands_out_for() -> None:
    rng = np.random.default_rng(0)
    background = rng.normal(size=(200, 16)).astype(np.float32)
    background /= np.linalg.norm(background, axis=1, keepdims=True)
    seeds = np.eye(16, dtype=np.float32)[:2] * 3  # not unit length: normalised inside
    near_first = np.eye(16, dtype=np.float32)[0] * 0.9 + np.eye(16, dtype=np.float32)[2] * 0.44
    near_second = np.eye(16, dtype=np.float32)[1]
    embeddings = np.vstack([background, near_first, near_second])
    matched = match_seeds(embeddings, seeds, z=2.5, floor=0.3)
    assert matched[-2:].tolist() == [0, 1]
    assert (matched[:200] >= 0).mean() < 0.05  # the background rarely stands out
    assert (match_seeds(embeddings, seeds, z=2.5, floor=0.95) >= 0).sum() == 1  # the floor: only the exact one
    warnings = unmatched_warnings([SeedTopic(label="a"), SeedTopic(label="b")], np.array([0, 0, -1]))
    assert len(warnings) == 1 and "'b'" in warnings[0]


@pytest.mark.parametrize(
    ("seeds", "message"),
    [
        ([{"label": f"s{i}"} for i in range(51)], "at most 50"),
        ([{"description": "no label"}], "label"),
        ([{"label": "   "}], "needs a label"),
        ([{"label": "Billing"}, {"label": "billing"}], "same label"),
        ([{"label": "x" * 101}], "at most 100"),
    ],
)
def test_bad_seed_topics_are_refused(seeds: list[dict[str, str]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PipelineParams(seed_topics=seeds)  # type: ignore[arg-type]
