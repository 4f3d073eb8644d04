"""Every function can be switched off on its own (BREATHER_DISABLE): one check for all routes.

A route declares its function with ``@switch("checkin")``; a whole blueprint is listed in
BLUEPRINT_FUNCTIONS. A single ``before_request`` hook answers 404 with the reason when the
function, or a function it rests on (REQUIRES), is off.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_smorest import abort

from service.extension import get_breather
from workers.settings import Settings

# blueprint name -> the function it belongs to
BLUEPRINT_FUNCTIONS = {"metrics": "metrics", "webhooks": "webhooks", "apps": "apps"}
# a function is on only when the functions it rests on are on too
REQUIRES = {"suggestions": ("strain",), "rotation": ("strain",)}


def is_on(settings: Settings, function: str) -> bool:
    """Whether `function` and everything it rests on are switched on."""
    return settings.enabled(function) and all(is_on(settings, f)
                                              for f in REQUIRES.get(function, ()))


def switch(function: str) -> Callable:
    """Mark a view as part of `function`, so it answers 404 while that function is off."""

    def mark(view: Callable) -> Callable:
        view.breather_function = function
        return view

    return mark


def function_of_request() -> str | None:
    """The switchable function the current request belongs to, if any."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "breather_function", None) or BLUEPRINT_FUNCTIONS.get(
        request.blueprint or "")


def init_app(app: Flask) -> None:
    """Refuse requests to switched-off functions before any handler or validation runs."""

    @app.before_request
    def _refuse_switched_off():
        function = function_of_request()
        if function and not is_on(get_breather().settings, function):
            abort(404, message=f"the {function!r} function is switched off (BREATHER_DISABLE)")
