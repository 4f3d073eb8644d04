"""One error format for every response Breather answers with an error.

    {"code": 422, "status": "Unprocessable Entity",
     "error": "invalid request: hostile", "errors": {"hostile": ["Not a valid boolean."]}}

``error`` is one sentence for people; ``errors`` (validation failures only) names each field.
An unexpected exception is logged and answered with a 500 in the same shape, never a trace.
"""

from __future__ import annotations

import redis as redis_lib
from flask import Flask, current_app, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES


class ErrorSchema(Schema):
    """The body of every error response."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status name"})
    error = fields.String(required=True, metadata={"description": "what went wrong, in words"})
    errors = fields.Dict(keys=fields.String(), metadata={
        "description": "validation failures: field name to its messages"})


def http_error_response(exc: HTTPException):
    """Flask handler for every HTTPException, including flask-smorest's abort(...)."""
    data = getattr(exc, "data", None) or {}
    payload = {"code": exc.code, "status": exc.name,
               "error": data.get("message") or exc.description}
    field_errors = _flatten(data.get("errors") or data.get("messages"))
    if field_errors:
        payload["errors"] = field_errors
        payload["error"] = "invalid request: " + ", ".join(sorted(field_errors))
    headers = dict(data.get("headers") or {})
    if exc.code == 405 and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return payload, exc.code, headers


def error_response(code: int, message: str, **extra):
    """An error in the common shape from a handler that returns rather than aborts; `extra`
    keys (such as a hint for the page) sit next to the common ones."""
    return {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"), "error": message,
            **extra}, code


def init_app(app: Flask) -> None:
    """Register the handlers (flask-smorest's Api registers HTTPException the same way)."""
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(redis_lib.ConnectionError, _redis_down)
    app.register_error_handler(redis_lib.TimeoutError, _redis_down)
    app.register_error_handler(Exception, _unexpected)


def _redis_down(exc: Exception):
    current_app.logger.error("Redis unavailable: %s", exc)
    return http_error_response(
        ServiceUnavailable("Breather's Redis is unavailable; try again shortly"))


def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return http_error_response(exc)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return http_error_response(
        InternalServerError("internal error; the details are in the service log"))


def _flatten(messages) -> dict:
    """webargs nests errors by location ({"json": {...}}); callers only need the fields."""
    if not isinstance(messages, dict):
        return {}
    flat: dict = {}
    for location, errors in messages.items():
        if location in ("json", "query", "path", "headers", "form") and isinstance(errors, dict):
            flat.update(errors)
        else:
            flat[location] = errors
    return flat
