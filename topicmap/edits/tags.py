"""Tags on documents: a person's marks ("refund", "to review", "wrong topic"), made by edits.

``tag`` adds a tag to documents and ``untag`` removes it; each makes the next map version like any
edit (undo is a revert), and later versions keep the tags. A map's tags are ``documents.tags`` (a
list per document, in the order they were given), a column for colour-by, filters and exports.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from topicmap.errors import NotFound
from topicmap.schemas import TopicMap

MAX_TAG_CHARS = 50
MAX_TAGGED = 10_000


class Tag(BaseModel):
    """Mark documents (by id) with ``tag``; ``untag`` takes it off them."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["tag", "untag"]
    ids: list[str] = Field(min_length=1, max_length=MAX_TAGGED, description="The documents, by id.")
    tag: str = Field(
        min_length=1, max_length=MAX_TAG_CHARS, description="The tag (leading and trailing spaces dropped)."
    )

    @field_validator("tag")
    @classmethod
    def _a_real_tag(cls, value: str) -> str:
        tag = " ".join(value.split())
        if not tag:
            raise ValueError("the tag is empty")
        return tag


def tag_documents(topic_map: TopicMap, operation: Tag) -> TopicMap:
    """A copy of ``topic_map`` with ``operation.tag`` added to (or removed from) the documents."""
    edited = topic_map.model_copy(deep=True)
    docs = edited.documents
    row_of = {doc_id: row for row, doc_id in enumerate(docs.id)}
    unknown = [doc_id for doc_id in operation.ids if doc_id not in row_of]
    if unknown:
        shown = ", ".join(repr(i) for i in unknown[:5])
        raise NotFound(
            f"the map has no document {shown}" + (f" (and {len(unknown) - 5} more)" if len(unknown) > 5 else "")
        )
    tags = docs.tags if docs.tags is not None else [[] for _ in docs.id]
    for doc_id in dict.fromkeys(operation.ids):
        row = tags[row_of[doc_id]]
        if operation.op == "tag" and operation.tag not in row:
            row.append(operation.tag)
        elif operation.op == "untag" and operation.tag in row:
            row.remove(operation.tag)
    docs.tags = tags
    return edited


def tag_counts(topic_map: TopicMap) -> dict[str, int]:
    """Each tag and how many documents have it, most first."""
    counts: dict[str, int] = {}
    for row in topic_map.documents.tags or []:
        for tag in row:
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
