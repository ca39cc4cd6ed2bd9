"""``/docs``: the API's interactive documentation, served with swagger-ui's own files (version 5,
which reads OpenAPI 3.1) from the ``fastapi-offline`` package, mounted at ``/static/swagger``, so
it works without the internet."""

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
SWAGGER = "/static/swagger"


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="mentor-match — API",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER}/favicon.png",
    )
