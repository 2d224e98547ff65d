"""The core's kinds of error and the HTTP statuses they answer with (api/errors.py)."""

from __future__ import annotations


def test_core_errors_become_http_statuses_in_one_place() -> None:
    from api.errors import status_of
    from topicmap.corpus import CorpusError
    from topicmap.errors import Conflict, Expired, Invalid, NotFound, StaleVersion, TooLarge
    from topicmap.views import UnknownColumn

    statuses = [status_of(e) for e in (NotFound("x"), Conflict("x"), StaleVersion(3), Expired("x"), TooLarge("x"))]
    assert statuses == [404, 409, 412, 410, 413]
    assert status_of(Invalid("x")) == status_of(CorpusError("x")) == status_of(UnknownColumn("x")) == 422


def test_a_document_error_names_the_document_once_not_each_member_of_its_union() -> None:
    """Pydantic reports a bad document once per member of ``str | DocumentIn``: "documents.0.str:
    Input should be a valid string" for an object whose only fault was a misspelt key."""
    import pydantic
    import pytest

    from api.errors import describe_errors
    from api.schemas import JobCreate

    def detail(body: object) -> str:
        with pytest.raises(pydantic.ValidationError) as caught:
            JobCreate.model_validate(body)
        return describe_errors(caught.value.errors())

    assert detail({"documents": [{"txt": "a"}]}) == (
        "documents.0.text: Field required; documents.0.txt: Extra inputs are not permitted"
    )
    assert detail({"documents": [{"text": "a", "id": 3}]}) == "documents.0.id: Input should be a valid string"
    not_a_document = "a document is a text, or an object with text (and id, meta), not"
    assert detail({"documents": ["ok", 7]}) == f"documents.1: {not_a_document} a number"
    assert detail({"documents": [None]}) == f"documents.0: {not_a_document} null"
    assert detail({"documents": [True]}) == f"documents.0: {not_a_document} true or false"
    assert detail({"documents": ["a"], "params": {"colour": 1}}) == "params.colour: Extra inputs are not permitted"


def test_an_uploads_params_field_names_each_fault_under_params() -> None:
    import pytest

    from api.errors import ApiError
    from api.submission import parse_params

    def detail(raw: str) -> str:
        with pytest.raises(ApiError) as caught:
            parse_params(raw)
        return str(caught.value.detail)

    assert detail("[1]").startswith("params: Input should be a valid dictionary")  # was "params.: …"
    assert detail('{"min_topic_size": 1, "colour": 2}') == (
        "params.min_topic_size: Input should be greater than or equal to 2; "
        "params.colour: Extra inputs are not permitted"
    )
    assert detail("{oops").startswith("params: not valid JSON")
