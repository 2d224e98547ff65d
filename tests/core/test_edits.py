"""Edit operations on a topic map: rename and revert (pure functions)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.edits.operations import EditRequest, Rename, Revert, apply_edits, rename
from topicmap.errors import NotFound
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams, TopicMap


@pytest.fixture(scope="module")
def topic_map() -> TopicMap:
    texts, _ = planted_corpus(40)
    return run_pipeline(texts, [f"d{i}" for i in range(len(texts))], PipelineParams(), encoder=HashingEncoder())


def test_renaming_a_topic_renames_its_leaf_and_marks_it_a_persons(topic_map: TopicMap) -> None:
    edited = rename(topic_map, Rename(op="rename", topic=1, label="  Space   travel "))
    topic = next(t for t in edited.topics if t.id == 1)
    assert topic.label == "Space travel" and topic.named_by == "person"
    assert edited.hierarchy is not None
    leaf = next(n for n in edited.hierarchy.nodes if n.id == "t1")
    assert leaf.label == "Space travel" and leaf.named_by == "person"
    assert next(t for t in topic_map.topics if t.id == 1).named_by == "terms"  # the original is untouched
    others = [(t.id, t.label) for t in edited.topics if t.id != 1]
    assert others == [(t.id, t.label) for t in topic_map.topics if t.id != 1]


def test_renaming_a_node(topic_map: TopicMap) -> None:
    assert topic_map.hierarchy is not None
    theme = next(n for n in topic_map.hierarchy.nodes if n.level not in ("root", "fine"))
    edited = rename(topic_map, Rename(op="rename", node=theme.id, label="Everything else"))
    assert edited.hierarchy is not None
    assert next(n for n in edited.hierarchy.nodes if n.id == theme.id).label == "Everything else"
    leaf = rename(topic_map, Rename(op="rename", node="t2", label="Via the leaf"))
    assert next(t for t in leaf.topics if t.id == 2).label == "Via the leaf"


def test_unknown_targets_are_404(topic_map: TopicMap) -> None:
    with pytest.raises(NotFound, match="no topic 99"):
        rename(topic_map, Rename(op="rename", topic=99, label="x"))
    with pytest.raises(NotFound, match="no hierarchy node 'zz'"):
        rename(topic_map, Rename(op="rename", node="zz", label="x"))


def test_operations_apply_in_order_and_revert_starts_over(topic_map: TopicMap) -> None:
    renamed = rename(topic_map, Rename(op="rename", topic=0, label="First"))
    request = EditRequest.model_validate(
        {"operations": [{"op": "revert", "version": 1}, {"op": "rename", "topic": 3, "label": "Third"}]}
    )
    result = apply_edits(renamed, request.operations, lambda version: topic_map).topic_map
    labels = {t.id: t.label for t in result.topics}
    assert labels[3] == "Third" and labels[0] == next(t.label for t in topic_map.topics if t.id == 0)
    assert isinstance(request.operations[0], Revert)


@pytest.mark.parametrize(
    "body",
    [
        {"operations": []},
        {"operations": [{"op": "rename", "topic": 1, "node": "c0", "label": "x"}]},
        {"operations": [{"op": "rename", "label": "x"}]},
        {"operations": [{"op": "rename", "topic": 1, "label": "   "}]},
        {"operations": [{"op": "explode", "topic": 1}]},
        {"operations": [{"op": "revert", "version": 0}]},
    ],
)
def test_malformed_edits_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        EditRequest.model_validate(body)
