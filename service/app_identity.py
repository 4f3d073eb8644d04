"""Who is at the sidebar: the helpdesks' proofs of identity, checked without trusting the browser.

Zendesk signs the first sidebar load with an RS256 JWT that proves the account, the installation
and the location, but (as far as Zendesk documents it) not the agent. So each agent binds the app
once with Zendesk OAuth (authorization code, then `GET /api/v2/users/me`); Breather keeps nothing
of that sign-in but a signed binding the agent's browser stores. Freshdesk signs nothing: a
secure installation parameter, added by Freshworks' proxy, proves the installation; in strict mode
a personal pairing code proves the agent. docs/threat-model.md says what each proof is worth.

Short-lived values are signed with itsdangerous under BREATHER_SECRET, one salt per purpose, so a
value made for one purpose is never accepted for another (nor as an API token).
"""

from __future__ import annotations

import jwt
import requests
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from workers.settings import AppsConfig

LAUNCH_SECONDS = 12 * 3600  # a sidebar page may stay open for a shift
STATE_SECONDS = 600  # an OAuth round trip
BINDING_SECONDS = 90 * 86400  # an agent signs in again every 90 days
PAIRING_SECONDS = 180 * 86400
SIDEBAR = {"product": "support", "location": "ticket_sidebar"}
AGENT_ROLES = ("agent", "admin")


class IdentityError(Exception):
    """A proof of identity was missing, malformed, expired or made for something else."""


def verify_zendesk_jwt(token: str, apps: AppsConfig) -> dict:
    """The claims of a Zendesk signed-URL token, checked for RS256, issuer, audience, expiry and
    the ticket-sidebar location.

    Raises:
        IdentityError: naming what was wrong.
    """
    if not token:
        raise IdentityError("no signed token (form field 'token'); open Breather from Zendesk")
    try:
        claims = jwt.decode(token, apps.zendesk_public_key, algorithms=["RS256"],
                            audience=apps.zendesk_audience, issuer=apps.zendesk_issuer,
                            leeway=30, options={"require": ["exp", "iat", "iss", "aud"]})
    except jwt.InvalidTokenError as exc:
        raise IdentityError(f"the Zendesk token was refused: {exc}") from None
    context = claims.get("context") or {}
    wrong = {k: context.get(k) for k, v in SIDEBAR.items() if context.get(k) != v}
    if wrong:
        raise IdentityError(f"the Zendesk token is for another place ({wrong}), not the sidebar")
    return claims


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"breather.apps.{purpose}")


def sign(secret: str, purpose: str, data: dict) -> str:
    """A signed, timestamped value for one purpose (launch, state, binding, pairing)."""
    return _serializer(secret, purpose).dumps(data)


def unsign(secret: str, purpose: str, value: str | None, max_age: int) -> dict:
    """The data of a value signed for `purpose`; IdentityError if missing, forged or too old."""
    if not value:
        raise IdentityError(f"missing {purpose}")
    try:
        data = _serializer(secret, purpose).loads(value, max_age=max_age)
    except SignatureExpired:
        raise IdentityError(f"the {purpose} has expired") from None
    except BadSignature:
        raise IdentityError(f"the {purpose} is not valid") from None
    if not isinstance(data, dict):
        raise IdentityError(f"the {purpose} is not valid")
    return data


def zendesk_authorize_url(apps: AppsConfig, redirect_uri: str, state: str) -> str:
    """Where the agent's browser signs in to Zendesk and grants Breather a one-time code."""
    from urllib.parse import urlencode

    query = urlencode({"response_type": "code", "client_id": apps.zendesk_oauth_client_id,
                       "redirect_uri": redirect_uri, "scope": "read", "state": state})
    return f"{apps.zendesk_account_url}/oauth/authorizations/new?{query}"


def zendesk_user_for_code(apps: AppsConfig, code: str, redirect_uri: str,
                          timeout: float = 10.0) -> dict:
    """Exchange the code for a token, read `/api/v2/users/me` with it, and drop the token.

    Returns:
        The Zendesk user (`id`, `role`, `locale`, ...), only if it is an agent or an admin.
    Raises:
        IdentityError: the exchange or the lookup failed, or the user is not an agent.
    """
    base = apps.zendesk_account_url
    try:
        answer = requests.post(f"{base}/oauth/tokens", timeout=timeout, json={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": apps.zendesk_oauth_client_id,
            "client_secret": apps.zendesk_oauth_secret, "scope": "read"})
        if answer.status_code != 200:
            raise IdentityError(f"Zendesk refused the sign-in code (HTTP {answer.status_code})")
        access = answer.json().get("access_token")
        me = requests.get(f"{base}/api/v2/users/me.json", timeout=timeout,
                          headers={"Authorization": f"Bearer {access}"})
    except (requests.RequestException, ValueError) as exc:
        raise IdentityError(f"could not reach Zendesk to finish the sign-in: {exc}") from None
    user = me.json().get("user") if me.status_code == 200 else None
    if not user or not user.get("id"):
        raise IdentityError(f"Zendesk did not say who signed in (HTTP {me.status_code})")
    if user.get("role") not in AGENT_ROLES:
        raise IdentityError("only Zendesk agents and admins can use the Breather sidebar")
    return user
