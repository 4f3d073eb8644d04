"""Breather's HTTP service: the Flask application factory.

Each feature is a blueprint in its own module; a switched-off function answers 404 through one
check (service/switches.py), and every error has one shape (service/errors.py).

Flask, redis and the blueprints are imported when an app is built, not by `import service`:
every `breather` command imports this package, and `breather anger` needs none of them (they
cost 0.4 s of its start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis as redis_lib
    from flask import Flask

    from service.extension import Breather, get_breather
    from workers.settings import Settings

__all__ = ["Breather", "create_app", "get_breather"]


def create_app(settings: Settings | None = None, redis: redis_lib.Redis | None = None) -> Flask:
    """Build the Flask app; tests pass their own Settings and Redis client."""
    from flask import Flask

    from service import (
        api,
        apps,
        errors,
        hooks,
        metrics,
        security,
        suggestion_routes,
        switches,
        team_routes,
        widget,
    )
    from service.extension import Breather
    from service.openapi import init_api
    from workers.connection import QUICK_RETRIES, connect
    from workers.settings import Settings

    settings = settings or Settings.from_env()
    if redis is None:
        if not settings.redis_url:
            raise ValueError("REDIS_URL is not set (breather demo starts an embedded Redis)")
        redis = connect(settings.redis_url, retries=QUICK_RETRIES)
    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions["breather"] = Breather(settings=settings, redis=redis)
    errors.init_app(app)
    security.init_app(app, settings.embedding_origins)
    switches.init_app(app)
    init_api(app, (api.bp, suggestion_routes.bp, team_routes.bp))
    for blueprint in (api.health_bp, metrics.bp, widget.bp, hooks.bp, apps.bp):
        app.register_blueprint(blueprint)
    return app


def __getattr__(name: str):
    """`from service import Breather, get_breather` still works, importing them on demand."""
    if name in ("Breather", "get_breather"):
        from service import extension

        return getattr(extension, name)
    raise AttributeError(f"module 'service' has no attribute {name!r}")
