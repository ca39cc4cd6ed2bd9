"""``/docs``: the API's interactive documentation, served with swagger-ui's own files (version 5,
which reads OpenAPI 3.1) from the ``fastapi-offline`` package, mounted at ``/static/swagger``, so
it works without the internet. The page has no inline script: swagger-ui is started by
``api/static/docs.js``, so the pages' CSP needs no ``'unsafe-inline'`` for scripts."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
SWAGGER = "/static/swagger"
PAGE = f"""<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mentor-match — API</title>
<link rel="icon" href="{SWAGGER}/favicon.png">
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
<script src="{SWAGGER}/swagger-ui-bundle.js" defer></script>
<script src="/static/docs.js" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi="/openapi.json"></div>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
