"""HEAD runs a route's GET and sends no body, except on endless streams (api/head.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.testclient import TestClient

from api.head import HeadAsGet


def app_with_routes() -> FastAPI:
    app = FastAPI()
    seen: list[str] = []

    @app.get("/page")
    def page() -> PlainTextResponse:
        seen.append("page")
        return PlainTextResponse("hello", headers={"X-Checked": "yes"})

    @app.get("/chunks")
    def chunks() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            for part in (b"one ", b"two ", b"three"):
                yield part

        return StreamingResponse(parts(), media_type="text/plain")

    @app.get("/jobs/1/events")
    def events() -> PlainTextResponse:
        raise AssertionError("an endless stream is never run for HEAD")

    app.add_middleware(HeadAsGet)
    app.state.seen = seen
    return app


def test_head_gets_gets_status_and_headers_without_the_body() -> None:
    app = app_with_routes()
    with TestClient(app) as client:
        head, get = client.head("/page"), client.get("/page")
        assert head.status_code == get.status_code == 200 and head.content == b"" and get.text == "hello"
        assert head.headers["content-length"] == "5" and head.headers["x-checked"] == "yes"
        assert app.state.seen == ["page", "page"]  # the GET ran, checks and all
        streamed = client.head("/chunks")
        assert streamed.status_code == 200 and streamed.content == b""
        assert client.head("/missing").status_code == 404  # as GET
        assert client.head("/jobs/1/events").status_code == 405  # never run: it would not end
        assert client.post("/page").status_code == 405  # other methods untouched
