"""HEAD answered as GET without the body, on every route (HTTP's rule; FastAPI's routes take GET only).

Link checkers, chat apps unfurling a shared link (`/s/{token}`), uptime monitors and `curl -I` ask
with HEAD; FastAPI answered 405. The request runs as a GET (the same access checks, status and
headers, Content-Length included) and the body is not sent. An endless stream (Server-Sent Events)
would never end, so those routes keep answering 405.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENDLESS = ("/events",)
"""Path endings of streams that never end: HEAD is not run as a GET there."""


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or scope["path"].endswith(ENDLESS):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest of the body: not sent
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
