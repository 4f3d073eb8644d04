"""Who may call what: one decorator per route names its rule, checked before the handler runs.

Rules (see docs/api.md, "Roles and tokens"):

- ``OWN``: the caller's own data (the path's ``agent`` is the token's agent);
- ``OWN_OR_SHARED``: as OWN, or a lead of the agent's team when the agent shares with their lead;
- ``OWN_OR_ADMIN``: as OWN, or an admin (erasure);
- ``TEAM_LEAD``: the lead of the path's ``team``, or an admin;
- ``TEAM_MEMBER``: a member of the path's ``team``, its lead, or an admin;
- ``ANY``: any valid token.

A missing, malformed, forged or expired token is 401; a valid token outside its rule is 403.
With BREATHER_AUTH=false every rule passes (local experiments only).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, request
from flask_smorest import abort

from service.auth import Principal, verify_token
from service.extension import get_breather
from workers import agents, sharing

OWN, OWN_OR_SHARED, OWN_OR_ADMIN = "own", "own_or_shared", "own_or_admin"
TEAM_LEAD, TEAM_MEMBER, ANY = "team_lead", "team_member", "any"


def authorize(rule: str) -> Callable:
    """Decorate a view: authenticate the bearer token, then apply `rule` to the path arguments."""
    check = _RULES[rule]

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            breather = get_breather()
            if breather.settings.auth:
                principal = authenticate(breather.settings.secret)
                if not check(principal, kwargs):
                    abort(403, message=_FORBIDDEN[rule])
                g.principal = principal
            return view(*args, **kwargs)

        wrapper.breather_rule = rule
        return wrapper

    return decorate


def authenticate(secret: str) -> Principal:
    """The caller's Principal from `Authorization: Bearer <token>`; aborts with 401 otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="missing token (send Authorization: Bearer <token>)",
              headers={"WWW-Authenticate": 'Bearer realm="breather"'})
    principal = verify_token(secret, token.strip())
    if principal is None:
        abort(401, message="invalid or expired token",
              headers={"WWW-Authenticate": 'Bearer realm="breather", error="invalid_token"'})
    return principal


def _own(principal: Principal, path: dict) -> bool:
    return principal.agent == path.get("agent")


def _own_or_shared(principal: Principal, path: dict) -> bool:
    if _own(principal, path):
        return True
    if principal.role != "lead":
        return False
    r = get_breather().redis
    agent = path.get("agent", "")
    return principal.leads(agents.agent_profile(r, agent)["team"]) and sharing.shares(r, agent)


def _own_or_admin(principal: Principal, path: dict) -> bool:
    return _own(principal, path) or principal.is_admin


def _team_lead(principal: Principal, path: dict) -> bool:
    return principal.is_admin or principal.leads(path.get("team"))


def _team_member(principal: Principal, path: dict) -> bool:
    if _team_lead(principal, path):
        return True
    return agents.agent_profile(get_breather().redis, principal.agent)["team"] == path.get("team")


_RULES: dict[str, Callable[[Principal, dict], bool]] = {
    OWN: _own, OWN_OR_SHARED: _own_or_shared, OWN_OR_ADMIN: _own_or_admin,
    TEAM_LEAD: _team_lead, TEAM_MEMBER: _team_member, ANY: lambda principal, path: True,
}
_FORBIDDEN = {
    OWN: "a token only gives access to its agent's own data",
    OWN_OR_SHARED: "a token only gives access to its agent's own data (a lead also sees team "
                   "members who share theirs)",
    OWN_OR_ADMIN: "a token only gives access to its agent's own data (or an admin's to erase)",
    TEAM_LEAD: "only this team's lead or an admin may read the team overview",
    TEAM_MEMBER: "only members of this team, its lead or an admin may read this",
    ANY: "",
}
