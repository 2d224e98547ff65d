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
