"""``GET /council``: the council's page for reviewing proposals (Russian).

The page holds no data: it asks for the caller's token and talks to the same API, so every
scope and role rule applies to it unchanged.
"""

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["council"])


@router.get("/council", response_class=HTMLResponse, summary="The council's page for reviewing proposals")
def council_page() -> HTMLResponse:
    page = resources.files("api").joinpath("static/council.html").read_text(encoding="utf-8")
    return HTMLResponse(page)
