"""Agent tokens: an agent sees their own details; everyone else sees aggregates.

A token is `agent.expiry.signature` with an HMAC-SHA256 signature under BREATHER_SECRET. The
helpdesk sidebar app (or `breather token`) obtains it; every `/api/v1/agents/<agent>/...` request
must carry a token for that same agent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from flask import Flask, jsonify, request

AGENT_PATH = re.compile(r"^/api/v1/agents/(?P<agent>[^/]+)(/|$)")
DEFAULT_TTL = 12 * 3600


def issue_token(secret: str, agent: str, ttl: int = DEFAULT_TTL, now: float | None = None) -> str:
    """A token that lets its bearer read and act on `agent`'s own data until it expires."""
    expiry = int((now or time.time()) + ttl)
    payload = f"{_b64(agent.encode())}.{expiry}"
    return f"{payload}.{_sign(secret, payload)}"


def verify_token(secret: str, token: str, now: float | None = None) -> str | None:
    """The agent a valid, unexpired token names; None otherwise."""
    try:
        encoded, expiry, signature = token.split(".")
        agent = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        expires_at = int(expiry)
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(signature, _sign(secret, f"{encoded}.{expiry}")):
        return None
    if expires_at < (now or time.time()):
        return None
    return agent


def init_app(app: Flask, secret: str, enabled: bool = True) -> None:
    """Require an agent token on every per-agent route."""

    @app.before_request
    def _require_agent_token():
        match = AGENT_PATH.match(request.path)
        if not enabled or match is None:
            return None
        token = _token_from_request()
        if not token:
            return jsonify(error="missing agent token (Authorization: Bearer <token>)"), 401
        agent = verify_token(secret, token)
        if agent is None:
            return jsonify(error="invalid or expired agent token"), 401
        if agent != match.group("agent"):
            return jsonify(error="an agent token only gives access to that agent's own data"), 403
        return None


def _token_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token")


def _sign(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
