"""Browser-facing protections on every response: CORS only for the helpdesk origins, and
security headers (CSP with frame-ancestors for the helpdesks, no inline script, nosniff,
no Referer).

Breather sets no cookies: its tokens travel in the Authorization header, which a cross-site
request cannot add, so there is no ambient credential for a forged request to ride.
"""

from __future__ import annotations

import re

from flask import Flask, Response, request
from flask_cors import CORS

API_RESOURCES = r"/api/v1/*"
# Swagger UI sets style attributes; only its reference page may use inline styles.
REFERENCE_PREFIX = "/api/docs"


def csp(origins: tuple[str, ...], inline_styles: bool = False) -> str:
    """The Content-Security-Policy: our own files only; framed by us or the helpdesks."""
    style = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    ancestors = " ".join(("'self'", *origins))
    return ("default-src 'self'; script-src 'self'; style-src " + style + "; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action 'self'; frame-ancestors {ancestors}")


def cors_origins(origins: tuple[str, ...]) -> list:
    """flask-cors origins: exact strings, and a pattern for each wildcard (*.host, :*)."""
    return [_pattern(origin) if "*" in origin else origin for origin in origins]


def init_app(app: Flask, origins: tuple[str, ...]) -> None:
    """CORS for /api/v1 from the helpdesk origins, and the headers on every response."""
    CORS(app, resources={API_RESOURCES: {"origins": cors_origins(origins)}},
         allow_headers=["Authorization", "Content-Type"], supports_credentials=False,
         expose_headers=[], max_age=600)
    policy, reference_policy = csp(origins), csp(origins, inline_styles=True)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        reference = request.path.startswith(REFERENCE_PREFIX)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", reference_policy if reference else policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path.startswith("/api/v1/"):
            headers.setdefault("Cache-Control", "no-store")
        return response


def _pattern(origin: str) -> re.Pattern:
    scheme, rest = origin.split("://", 1)
    host, _, port = rest.partition(":")
    host_re = re.escape(host).replace(r"\*\.", r"[a-z0-9-]+(\.[a-z0-9-]+)*\.")
    port_re = "" if not port else (r":[0-9]+" if port == "*" else ":" + re.escape(port))
    return re.compile(f"^{re.escape(scheme)}://{host_re}{port_re}$", re.IGNORECASE)
