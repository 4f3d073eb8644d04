"""A per-vendor, per-minute request budget with the vendor's header spellings."""

from __future__ import annotations

import threading
import time

from flask import current_app, g, jsonify

_lock = threading.Lock()


def check_rate(vendor: str, limit: int, headers_for):
    """Count this request; answer 429 with Retry-After once the minute's budget is spent."""
    minute = int(time.time() // 60)
    _counts = current_app.extensions["sandbox"].setdefault("rate_counts", {})
    with _lock:
        used = _counts.get((vendor, minute), 0) + 1
        _counts[(vendor, minute)] = used
        for key in [k for k in _counts if k[1] < minute]:
            del _counts[key]
    remaining = max(0, limit - used)
    g.rate_headers = headers_for(limit, remaining)
    if used > limit:
        response = jsonify(error="APIRateLimitExceeded", description="Rate limit exceeded")
        response.status_code = 429
        response.headers["Retry-After"] = str(60 - int(time.time()) % 60)
        response.headers.update(g.rate_headers)
        return response
    return None


def add_rate_headers(response):
    headers = g.get("rate_headers")
    if headers:
        response.headers.update(headers)
    return response
