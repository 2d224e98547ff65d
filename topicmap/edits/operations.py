"""Edits of a topic map: each request turns version n into version n + 1.

``rename`` gives a topic or a hierarchy node a person's label; ``revert`` starts from an earlier
version (undo is reverting to the version before); ``merge`` joins topics into one and ``reduce``
merges the most similar topics until at most N remain; ``move`` puts documents into a topic;
``split`` re-clusters one topic's documents into k topics; ``tag`` and ``untag`` mark documents
(topicmap/edits/tags.py). All are pure functions of the map (and,
for the regrouping operations, of its stored term counts, documents' term presence and embeddings:
topicmap/edits/regroup.py, numpy and scipy, imported only when such an operation runs), light enough for
the API process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from topicmap.edits.tags import Tag, tag_documents
from topicmap.errors import Conflict, NotFound
from topicmap.schemas import TopicMap

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import scipy.sparse as sp

    from topicmap.terms import TermTable


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


class Merge(BaseModel):
    """Join ``topics`` into one: the largest keeps its id; the label comes from the merged terms,
    or is ``label``."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["merge"]
    topics: list[int] = Field(min_length=2, max_length=500, description="Two or more different topics.")
    label: str | None = Field(default=None, min_length=1, max_length=200, description="A label for the result.")

    @model_validator(mode="after")
    def _different(self) -> Merge:
        repeated = sorted({t for t in self.topics if self.topics.count(t) > 1})
        if repeated:
            raise ValueError(f"merge needs different topics; topic {repeated[0]} is listed twice")
        if any(t < 0 for t in self.topics):
            raise ValueError("outliers (topic -1) cannot be merged")
        return self


class Reduce(BaseModel):
    """Merge the topics into at most ``n_topics`` groups of similar ones (Ward linkage of their c-TF-IDF)."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["reduce"]
    n_topics: int = Field(ge=1, le=100_000, description="Topics to keep at most.")


class Move(BaseModel):
    """Put ``documents`` (ids) into ``topic``, as core members of it."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["move"]
    documents: list[Annotated[str, Field(max_length=200)]] = Field(min_length=1, max_length=100_000)
    topic: int = Field(ge=0, description="The topic they go to.")


class Split(BaseModel):
    """Re-cluster ``topic``'s documents into ``k`` topics (k-means on their embeddings): the
    largest part keeps the id, the others get new ids."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["split"]
    topic: int = Field(ge=0, description="The topic to split.")
    k: int = Field(default=2, ge=2, le=20, description="Topics to split it into.")


Operation = Annotated[Rename | Revert | Merge | Reduce | Move | Split | Tag, Field(discriminator="op")]
AnyOperation = Rename | Revert | Merge | Reduce | Move | Split | Tag


class EditRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"operations": [{"op": "rename", "topic": 3, "label": "Networking"}]}]},
    )

    operations: list[Operation] = Field(min_length=1, max_length=100, description="Applied in order.")


def rename(topic_map: TopicMap, operation: Rename) -> TopicMap:
    """A copy of ``topic_map`` with the new label on the topic (and its leaf node), or on the node."""
    edited = topic_map.model_copy(deep=True)
    label = " ".join(operation.label.split())
    topic_id = operation.topic
    if operation.node is not None:
        nodes = {n.id: n for n in edited.hierarchy.nodes} if edited.hierarchy else {}
        node = nodes.get(operation.node)
        if node is None:
            raise NotFound(f"the map has no hierarchy node {operation.node!r}")
        node.label, node.named_by = label, "person"
        if node.level == "fine":
            topic_id = node.topics[0]
    if topic_id is not None:
        topic = next((t for t in edited.topics if t.id == topic_id), None)
        if topic is None:
            raise NotFound(f"the map has no topic {topic_id}")
        topic.label, topic.named_by = label, "person"
        for node in edited.hierarchy.nodes if edited.hierarchy else []:
            if node.id == f"t{topic_id}":
                node.label, node.named_by = label, "person"
    return edited


@dataclass
class Edited:
    topic_map: TopicMap
    terms: TermTable | None = None
    """Term counts made by a merge in this request: the new version's."""
    terms_from: int | None = None
    """Otherwise, the version whose stored term counts still apply (nothing regrouped since)."""


NO_TERMS = "this map version has no stored term counts (it was made before merges existed); run the job again"
NO_EMBEDDINGS = (
    "the embeddings of this map's documents are no longer stored (they expire with the corpus); run the job again"
)


def apply_edits(
    latest: TopicMap,
    operations: list[AnyOperation],
    load_version: Callable[[int], TopicMap],
    *,
    latest_number: int | None = None,
    load_terms: Callable[[int], TermTable | None] | None = None,
    load_presence: Callable[[str | None], sp.csr_matrix | None] | None = None,
    load_embeddings: Callable[[TopicMap], npt.NDArray[np.float32] | None] | None = None,
) -> Edited:
    """Apply ``operations`` in order to the latest version (number ``latest_number``);
    ``load_version(k)`` reads version k, ``load_terms(k)`` its term counts and ``load_presence(corpus)``
    the term presence of the documents of a corpus (``meta.corpus``: None for the job's own; both read
    only for a merge, reduce, move or split: a move and a split need the presence, the others rescore
    NPMI with it), ``load_embeddings(topic_map)`` its documents' embeddings (read only for a split)."""
    current = Edited(latest, terms_from=latest_number)
    embeddings: dict[str | None, npt.NDArray[np.float32] | None] = {}
    for operation in operations:
        if isinstance(operation, Revert):
            current = Edited(load_version(operation.version), terms_from=operation.version)
        elif isinstance(operation, Rename):
            current = Edited(rename(current.topic_map, operation), current.terms, current.terms_from)
        elif isinstance(operation, Tag):  # the topics stay as they are: so do their term counts
            current = Edited(tag_documents(current.topic_map, operation), current.terms, current.terms_from)
        else:
            if current.terms is None and current.terms_from is not None and load_terms is not None:
                current = Edited(current.topic_map, load_terms(current.terms_from))
            if current.terms is not None and current.terms.presence is None:
                corpus = current.topic_map.meta.corpus
                current.terms.presence = load_presence(corpus) if load_presence is not None else None
            if isinstance(operation, Split):
                corpus = current.topic_map.meta.corpus
                if corpus not in embeddings:
                    embeddings[corpus] = load_embeddings(current.topic_map) if load_embeddings is not None else None
                current = split(current, operation, embeddings[corpus])
            else:
                current = regroup(current, operation)
    return current


def split(current: Edited, operation: Split, embeddings: npt.NDArray[np.float32] | None) -> Edited:
    from topicmap.edits.split import split_topic

    if current.terms is None:
        raise Conflict(NO_TERMS)
    if embeddings is None:
        raise Conflict(NO_EMBEDDINGS)
    meta = current.topic_map.meta
    min_size = int(meta.resolved.get("min_topic_size", meta.params.min_topic_size or 10))
    topic_map, terms = split_topic(
        current.topic_map, current.terms, embeddings, operation.topic, operation.k, min_size=min_size, seed=meta.seed
    )
    return Edited(topic_map, terms)


def regroup(current: Edited, operation: Merge | Reduce | Move) -> Edited:
    from topicmap.edits.regroup import merge_groups, move_documents, reduce_groups

    if current.terms is None:
        raise Conflict(NO_TERMS)
    if isinstance(operation, Move):
        topic_map, terms = move_documents(current.topic_map, current.terms, operation.documents, operation.topic)
        return Edited(topic_map, terms)
    if isinstance(operation, Merge):
        groups, labels = [operation.topics], ({operation.topics[0]: operation.label} if operation.label else None)
    else:
        groups, labels = reduce_groups(current.topic_map, current.terms, operation.n_topics), None
    if not groups:
        return current
    topic_map, terms = merge_groups(current.topic_map, current.terms, groups, labels)
    return Edited(topic_map, terms)
