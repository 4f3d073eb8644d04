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
    ("service.suggestions:bp", "suggestions"),
    ("service.widget:bp", None),
    ("service.hooks:bp", "webhooks"),
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
    for path, function in BLUEPRINTS:
        if function is None or settings.enabled(function):
            module_name, attr = path.split(":")
            app.register_blueprint(getattr(importlib.import_module(module_name), attr))
    return app


def get_breather() -> Breather:
    """The Breather extension of the current app."""
    from flask import current_app

    return current_app.extensions["breather"]
