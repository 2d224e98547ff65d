"""The web page: static HTML, CSS and JS modules, and plotly.js from the installed plotly package."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from topicmap.render.pages import LABELS_PATH

WEB = Path(__file__).resolve().parent.parent / "web"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type="text/html")


@router.get("/s/{token}")
def shared_map(token: str) -> FileResponse:
    """A share link: the page, which reads the token from the address and opens that map read-only
    (the token is checked by every API call it makes, as X-Share-Token)."""
    del token  # read by the page from the address
    return FileResponse(WEB / "index.html", media_type="text/html", headers={"Referrer-Policy": "no-referrer"})


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    """The plotly.js of the installed plotly package, so figure JSON and renderer versions match."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/static/labels.js")
def labels_js() -> FileResponse:
    """Label placement (topicmap/render/labels.js), shared with the standalone HTML the CLI and API write."""
    return FileResponse(LABELS_PATH, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def install_web(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB), name="static")
