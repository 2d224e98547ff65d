"""Tags on documents (topicmap/edits/tags.py): edits that mark documents, undone like any edit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.api.maps import small_map
from topicmap.edits.operations import EditRequest, apply_edits
from topicmap.edits.tags import Tag, tag_counts, tag_documents
from topicmap.errors import NotFound
from topicmap.render.exports import document_rows


def test_tag_and_untag_documents() -> None:
    topic_map, texts = small_map()
    tagged = tag_documents(topic_map, Tag(op="tag", ids=["d1", "d2", "d1"], tag=" to  review "))
    assert topic_map.documents.tags is None  # a new version; the old one unchanged
    assert tagged.documents.tags is not None
    assert tagged.documents.tags[1] == ["to review"] and tagged.documents.tags[0] == []
    both = tag_documents(tagged, Tag(op="tag", ids=["d2"], tag="refund"))
    assert both.documents.tags is not None and both.documents.tags[2] == ["to review", "refund"]
    assert tag_counts(both) == {"to review": 2, "refund": 1}
    untagged = tag_documents(both, Tag(op="untag", ids=["d2"], tag="to review"))
    assert untagged.documents.tags is not None and untagged.documents.tags[2] == ["refund"]
    rows = list(document_rows(both, texts))
    assert rows[0][-1] == "tags" and rows[3][-1] == "to review; refund"


def test_bad_tags_are_refused() -> None:
    topic_map, _ = small_map()
    with pytest.raises(NotFound, match="no document 'nope'"):
        tag_documents(topic_map, Tag(op="tag", ids=["d1", "nope"], tag="x"))
    for bad in ({"op": "tag", "ids": ["d1"], "tag": "   "}, {"op": "tag", "ids": [], "tag": "x"}):
        with pytest.raises(ValidationError):
            EditRequest.model_validate({"operations": [bad]})


def test_a_tag_is_undone_by_a_revert_and_kept_by_later_edits() -> None:
    topic_map, _ = small_map()
    versions = {1: topic_map}
    request = EditRequest.model_validate({"operations": [{"op": "tag", "ids": ["d0"], "tag": "refund"}]})
    second = apply_edits(topic_map, request.operations, versions.__getitem__, latest_number=1).topic_map
    versions[2] = second
    renamed = EditRequest.model_validate({"operations": [{"op": "rename", "topic": 0, "label": "Rockets"}]})
    third = apply_edits(second, renamed.operations, versions.__getitem__, latest_number=2).topic_map
    assert third.documents.tags is not None and third.documents.tags[0] == ["refund"]
    undo = EditRequest.model_validate({"operations": [{"op": "revert", "version": 1}]})
    assert apply_edits(third, undo.operations, versions.__getitem__, latest_number=3).topic_map.documents.tags is None
