"""The FastAPI application: everything under /api, docs at /api/docs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import get_settings
from api.deps import store_for
from api.errors import install_error_handlers, problem
from api.events import close_hubs
from api.head import HeadAsGet
from api.metrics import install_metrics
from api.openapi import install_openapi
from api.routes import (
    assignments,
    axes,
    columns,
    edits,
    health,
    jobs,
    library,
    people,
    results,
    search,
    shares,
    webhooks,
)
from api.routes.web import install_web
from topicmap.logs import configure_logging

DESCRIPTION = """\
Send a corpus, get a **topic map**: topics with labels, key terms, sizes and representative
documents, and a 2-D position for every document.

1. `POST /api/jobs` with JSON documents or a file upload → `202` and a `Location`.
2. Follow `GET /api/jobs/{id}` (or `/events`, Server-Sent Events) until `succeeded`.
3. Fetch `/map`, `/figure?kind=map&format=html` or `/export.csv`.

Every request needs the header `X-API-Key` (a user's key; admins manage people at `/api/users`), or
`X-Share-Token` (a share link's token: one map, read-only). A job is visible to its owner, admins,
and the people it is shared with (`POST /api/jobs/{id}/shares`: viewers read, editors also edit).
"""


def operation_id(route: APIRoute) -> str:
    """Stable operation ids (the function name) for generated clients."""
    return route.name


class BodySizeLimit:
    """Refuse bodies over ``limit`` bytes with 413, whether or not Content-Length was sent."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            await self.too_large(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self.too_large(scope, receive, send)

    async def too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"the request body is over the limit of {self.limit} bytes")
        await response(scope, receive, send)


class BodyTooLarge(Exception):
    pass


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
    await close_hubs()  # the progress subscription of this process


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging()
    # Swagger UI's files come from the fastapi-offline package, not a CDN: /api/docs works offline.
    app: FastAPI = FastAPIOffline(
        static_url="/api/static-docs",
        title="topicmap",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )
    routers = (
        jobs.router,
        results.router,
        search.router,
        axes.router,
        assignments.router,
        columns.router,
        edits.router,
        health.router,
        webhooks.router,
        people.router,
        shares.router,
        shares.link_router,
        library.router,
    )
    for router in routers:
        app.include_router(router, prefix="/api")
    install_web(app)
    install_openapi(app)
    install_error_handlers(app)
    install_metrics(app, lambda: store_for(settings.redis_url, settings.retention_s), settings)
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes)
    app.add_middleware(HeadAsGet)  # outermost: HEAD runs every route's GET
    return app


app = create_app()
