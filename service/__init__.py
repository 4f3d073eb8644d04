"""Breather's HTTP service: the Flask application factory.

Blueprints are listed by import path so that each feature lives in its own module and can be
switched off on its own (see Settings.disabled).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import redis as redis_lib
from flask import Flask

from service import auth
from workers.settings import Settings

# (import path of a Blueprint, the switchable function it belongs to or None)
BLUEPRINTS: list[tuple[str, str | None]] = [
    ("service.api:bp", None),
    ("service.metrics:bp", "metrics"),
    ("service.suggestion_routes:bp", "suggestions"),
    ("service.widget:bp", None),
    ("service.hooks:bp", "webhooks"),
    ("service.apps:bp", "apps"),
]


@dataclass
class Breather:
    """What request handlers need, kept in app.extensions["breather"]."""

    settings: Settings
    redis: redis_lib.Redis


def create_app(settings: Settings | None = None, redis: redis_lib.Redis | None = None) -> Flask:
    """Build the Flask app; tests pass their own Settings and Redis client."""
    settings = settings or Settings.from_env()
    if redis is None:
        if not settings.redis_url:
            raise ValueError("REDIS_URL is not set (breather demo starts an embedded Redis)")
        redis = redis_lib.Redis.from_url(settings.redis_url)
    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions["breather"] = Breather(settings=settings, redis=redis)
    auth.init_app(app, settings.secret, enabled=settings.auth)
    _json_errors(app)
    for path, function in BLUEPRINTS:
        if function is None or (settings.enabled(function) and _prerequisites_on(function,
                                                                                    settings)):
            module_name, attr = path.split(":")
            app.register_blueprint(getattr(importlib.import_module(module_name), attr))
    return app


def _prerequisites_on(function: str, settings: Settings) -> bool:
    """Suggestions rest on the strain estimate: switching strain off switches them off too."""
    return function != "suggestions" or settings.enabled("strain")


def _json_errors(app: Flask) -> None:
    """Errors answer in JSON with a clear message; an unexpected one is logged, not shown."""
    from flask import jsonify
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return jsonify(error=exc.description), exc.code

    @app.errorhandler(redis_lib.ConnectionError)
    def _redis_down(exc: Exception):
        app.logger.error("Redis unavailable: %s", exc)
        return jsonify(error="Breather's Redis is unavailable; try again shortly"), 503

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", _request_path())
        return jsonify(error="internal error; the details are in the service log"), 500


def _request_path() -> str:
    from flask import request

    return request.path


def get_breather() -> Breather:
    """The Breather extension of the current app."""
    from flask import current_app

    return current_app.extensions["breather"]
