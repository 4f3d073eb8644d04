"""The versioned JSON API's machinery: flask-smorest, /openapi.json and the reference page.

flask-smorest validates every request body against its marshmallow schema (unknown fields are
refused), dumps every response through its schema, and builds the OpenAPI 3 document from the
same schemas. The reference page at /api/docs renders it with Swagger UI's files from the
swagger-ui-bundle package: nothing is loaded from another host.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, request, send_from_directory
from flask_smorest import Api

from service import errors

API_TITLE = "Breather API"
API_VERSION = "v1"
API_MAX_BODY = 16 * 1024  # bytes; the largest valid request body is well under 1 KiB
REFERENCE_FILES = "static/reference"


class BreatherApi(Api):
    """flask-smorest's Api answering errors in Breather's one format (service/errors.py)."""

    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):
        return errors.http_error_response(error)


def init_api(app: Flask, blueprints) -> BreatherApi:
    """Create the Api on `app`, register the API blueprints and the reference page."""
    app.config.update(
        API_TITLE=API_TITLE, API_VERSION=API_VERSION, OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": "An agent's own strain, suggestions and choices; team "
                                    "aggregates for leads. See docs/api.md."},
            "components": {"securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "A Breather token (breather token, or the helpdesk app)"}}},
            "security": [{"bearerAuth": []}],
        })
    api = BreatherApi(app)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(reference_bp)
    app.before_request(_limit_api_bodies)
    return api


def _limit_api_bodies() -> None:
    """Request bodies on /api/ are small; a larger one is refused with 413 before it is read."""
    if request.path.startswith("/api/"):
        request.max_content_length = API_MAX_BODY


def _swagger_ui_path() -> str:
    import swagger_ui_bundle

    return swagger_ui_bundle.swagger_ui_path


reference_bp = Blueprint("reference", __name__, url_prefix="/api/docs")


@reference_bp.get("/")
def reference_page():
    """The rendered API reference (Swagger UI over /openapi.json)."""
    return _reference_file("index.html")


@reference_bp.get("/<path:name>")
def reference_asset(name: str):
    """Our own start-up script, then Swagger UI's own files."""
    if name in ("reference.js", "reference.css"):
        return _reference_file(name)
    return send_from_directory(_swagger_ui_path(), name, max_age=3600)


def _reference_file(name: str):
    return send_from_directory(Path(__file__).parent / REFERENCE_FILES, name, max_age=300)
