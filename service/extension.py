"""What request handlers need (settings and Redis), kept in app.extensions["breather"]."""

from __future__ import annotations

from dataclasses import dataclass

import redis as redis_lib
from flask import current_app

from workers.settings import Settings


@dataclass
class Breather:
    """The app's settings and its Redis client."""

    settings: Settings
    redis: redis_lib.Redis


def get_breather() -> Breather:
    """The Breather extension of the current app."""
    return current_app.extensions["breather"]
