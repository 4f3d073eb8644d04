"""A local stand-in for a Zendesk account's sign-in and app signing, on 127.0.0.1.

It signs sidebar JWTs with a key pair made per test run, answers the OAuth authorization-code
flow (approving at once as the configured user), exchanges codes for tokens once, and answers
`/api/v2/users/me.json` for those tokens only.
"""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.wrappers import Request, Response

CLIENT_ID, CLIENT_SECRET = "breather", "oauth-client-secret"


def key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public.decode()


class FakeZendeskAccount:
    """One Zendesk account with one app installation and one signed-in user."""

    def __init__(self, user_id: int = 101, locale: str = "en-US", role: str = "agent"):
        self.private_pem, self.public_pem = key_pair()
        self.user = {"id": user_id, "name": "Agent 1", "role": role, "locale": locale}
        self.codes: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.base = ""  # set once the server runs

    @property
    def audience(self) -> str:
        return f"{self.base}/api/v2/apps/installations/42.json"

    @property
    def issuer(self) -> str:
        return self.base.split("://", 1)[1]

    def sidebar_jwt(self, key: str | None = None, algorithm: str = "RS256", **changes) -> str:
        """A signed-URL token as Zendesk sends it to the sidebar (claims changeable for tests)."""
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "iat": now, "nbf": now,
                  "exp": now + 300, "context": {"product": "support",
                                                "location": "ticket_sidebar"}}
        claims.update(changes)
        return jwt.encode({k: v for k, v in claims.items() if v is not None},
                          self.private_pem if key is None else key, algorithm=algorithm)

    def __call__(self, environ, start_response):
        request = Request(environ)
        routes = {"/oauth/authorizations/new": self._authorize, "/oauth/tokens": self._token,
                  "/api/v2/users/me.json": self._me, "/helpdesk": self._helpdesk}
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    def _authorize(self, request: Request) -> Response:
        if request.args.get("client_id") != CLIENT_ID:
            return Response("unknown client", 400)
        code = secrets.token_urlsafe(8)
        self.codes[code] = request.args["redirect_uri"]
        query = urlencode({"code": code, "state": request.args.get("state", "")})
        return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{query}"})

    def _token(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        if (body.get("client_id"), body.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return _json({"error": "invalid_client"}, 401)
        if self.codes.pop(body.get("code"), None) != body.get("redirect_uri"):
            return _json({"error": "invalid_grant"}, 400)
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return _json({"access_token": token, "token_type": "bearer", "scope": "read"})

    def _me(self, request: Request) -> Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return _json({"error": "Couldn't authenticate you"}, 401)
        return _json({"user": self.user})

    def _helpdesk(self, request: Request) -> Response:
        """A page hosting the sidebar as Zendesk does: POST the signed token into an iframe."""
        target = request.args["breather"] + "/apps/zendesk/sidebar"
        html = (f'<!doctype html><html lang="en"><title>Helpdesk</title><body><h1>Ticket</h1>'
                f'<form id="f" method="post" action="{target}" target="sidebar">'
                f'<input type="hidden" name="token" value="{self.sidebar_jwt()}"></form>'
                '<iframe name="sidebar" title="Breather" style="width:380px;height:1100px">'
                '</iframe><script>document.getElementById("f").submit()</script></body></html>')
        return Response(html, content_type="text/html")


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")
