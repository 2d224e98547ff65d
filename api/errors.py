"""Errors as RFC 9457 problem details (``application/problem+json``) with a readable ``detail``.

Client mistakes are 4xx; an unreachable Redis or queue is 503; anything else is a generic 500
that hides internals (and is logged).
"""

from __future__ import annotations

import logging
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
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{location}: {error.get('msg')}" if location else str(error.get("msg")))
    return "; ".join(parts) or "invalid request"


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
