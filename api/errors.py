"""Errors as RFC 9457 problem details (``application/problem+json``) with a readable ``detail``.

Client mistakes are 4xx; an unreachable Redis or queue is 503; anything else is a generic 500
that hides internals (and is logged).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import OutOfMemoryError  # type: ignore[attr-defined]  # missing from types-redis
from starlette.exceptions import HTTPException

from topicmap.errors import (
    Conflict,
    Expired,
    Invalid,
    NotFound,
    OverQuota,
    StaleVersion,
    TooLarge,
    TopicmapError,
    retry_after_s,
)

logger = logging.getLogger("topicmap.api")
PROBLEM = "application/problem+json"
STATUS_OF: list[tuple[type[TopicmapError], int]] = [
    (StaleVersion, 412),  # before Conflict, which it is a kind of
    (NotFound, 404),
    (Conflict, 409),
    (Expired, 410),
    (TooLarge, 413),
    (Invalid, 422),
]
"""The one place the core's kinds of error become HTTP statuses (first match wins)."""


def status_of(error: TopicmapError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 422)


class ApiError(HTTPException):
    """Raised by routes: status plus a sentence for the person reading it."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def describe_validation(exc: RequestValidationError) -> str:
    return describe_errors(exc.errors()) or "invalid request"


UNION_MEMBERS = ("str", "DocumentIn")
"""What pydantic adds to an error's place for the member of a document's ``str | DocumentIn`` it tried."""
JSON_TYPES: list[tuple[type | tuple[type, ...], str]] = [
    (bool, "true or false"),  # before numbers: a bool is an int
    ((int, float), "a number"),
    (list, "a list"),
]


def describe_errors(errors: Sequence[Mapping[str, Any]], most: int = 3) -> str:
    """Pydantic's errors as a person reads them: ``documents.3.text: Field required``, not each
    error once per member of the documents' text-or-object union; a document that is neither says so."""
    parts: list[str] = []
    for error in errors:
        place = [p for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        member = next((p for p in place if p in UNION_MEMBERS), None)
        given = error.get("input")
        if member == "str" and isinstance(given, dict):
            continue  # an object: the object member's errors say what is wrong with it
        where = ".".join(str(p) for p in place if p not in UNION_MEMBERS)
        if member is not None and place[-1] == member and not isinstance(given, str | dict):
            what = next((name for kind, name in JSON_TYPES if isinstance(given, kind)), "null")
            message = f"{where}: a document is a text, or an object with text (and id, meta), not {what}"
        else:
            message = f"{where}: {error.get('msg')}" if where else str(error.get("msg"))
        if message not in parts:
            parts.append(message)
    return "; ".join(parts[:most])


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(TopicmapError)
    async def core_error(_: Request, exc: TopicmapError) -> JSONResponse:
        if isinstance(exc, OverQuota):  # 413 when it could never fit; 429 until stored data expires
            if exc.never_fits:
                return problem(413, str(exc))
            return problem(429, str(exc), headers={"Retry-After": str(retry_after_s(exc))})
        return problem(status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, describe_validation(exc))

    @app.exception_handler(OutOfMemoryError)
    async def redis_full(_: Request, exc: OutOfMemoryError) -> JSONResponse:
        logger.error("redis refused a write: maxmemory reached", extra={"error": str(exc)})
        return problem(
            503,
            "the job store is full (Redis reached its memory limit), so new work is refused for now; "
            "everything already stored is kept. Retry later, or ask the operator to raise REDIS_MAXMEMORY",
            headers={"Retry-After": "60"},
        )

    @app.exception_handler(redis.RedisError)
    async def redis_down(_: Request, exc: redis.RedisError) -> JSONResponse:
        logger.error("redis unavailable", extra={"error": str(exc)})
        return problem(503, "the job store is unavailable; try again shortly", headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.error("unhandled error", exc_info=exc)
        return problem(500, "internal error; it has been logged")
