"""Edits of a topic map: each request turns version n into version n + 1 (pydantic only, no numpy).

``rename`` gives a topic or a hierarchy node a person's label; ``revert`` starts from an earlier
version (undo is reverting to the version before). Both are pure functions of the map, light enough
for the API process. Operations that regroup documents (merge, split, move, reduce) need the
embeddings and the term counts and are not here yet (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from worker.contracts import TopicMap


class Rename(BaseModel):
    """A person's label for a topic (``topic``) or a hierarchy node (``node``, e.g. "c0")."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["rename"]
    topic: int | None = Field(default=None, description="The topic to rename.")
    node: str | None = Field(default=None, max_length=20, description="Or the hierarchy node to rename.")
    label: str = Field(min_length=1, max_length=200, description="The new label.")

    @model_validator(mode="after")
    def _one_target(self) -> Rename:
        if (self.topic is None) == (self.node is None):
            raise ValueError("rename needs exactly one of topic or node")
        if not self.label.strip():
            raise ValueError("label must not be blank")
        return self


class Revert(BaseModel):
    """Start from version ``version`` (later operations apply to it); the result is a new version."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["revert"]
    version: int = Field(ge=1, description="The version to go back to.")


Operation = Annotated[Rename | Revert, Field(discriminator="op")]


class EditRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"operations": [{"op": "rename", "topic": 3, "label": "Networking"}]}]},
    )

    operations: list[Operation] = Field(min_length=1, max_length=100, description="Applied in order.")


class EditError(ValueError):
    """An operation that cannot apply to this map; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def rename(topic_map: TopicMap, operation: Rename) -> TopicMap:
    """A copy of ``topic_map`` with the new label on the topic (and its leaf node), or on the node."""
    edited = topic_map.model_copy(deep=True)
    label = " ".join(operation.label.split())
    topic_id = operation.topic
    if operation.node is not None:
        nodes = {n.id: n for n in edited.hierarchy.nodes} if edited.hierarchy else {}
        node = nodes.get(operation.node)
        if node is None:
            raise EditError(404, f"the map has no hierarchy node {operation.node!r}")
        node.label, node.named_by = label, "person"
        if node.level == "fine":
            topic_id = node.topics[0]
    if topic_id is not None:
        topic = next((t for t in edited.topics if t.id == topic_id), None)
        if topic is None:
            raise EditError(404, f"the map has no topic {topic_id}")
        topic.label, topic.named_by = label, "person"
        for node in edited.hierarchy.nodes if edited.hierarchy else []:
            if node.id == f"t{topic_id}":
                node.label, node.named_by = label, "person"
    return edited


def apply_edits(
    latest: TopicMap, operations: list[Rename | Revert], load_version: Callable[[int], TopicMap]
) -> TopicMap:
    """Apply ``operations`` in order to the latest version; ``load_version(k)`` reads version k."""
    current = latest
    for operation in operations:
        if isinstance(operation, Revert):
            current = load_version(operation.version)
        else:
            current = rename(current, operation)
    return current
