"""Breather's own tokens: who is calling (an agent id) and in which role.

A token is a JWT signed with HS256 under a key derived from BREATHER_SECRET, with Breather's own
issuer and audience, `iat` and `exp`. Roles:

- ``agent``: reads and answers only their own data;
- ``lead``: their own data, their team's aggregates (``team`` claim), and per-agent detail of
  team members who chose to share it with their lead;
- ``admin``: their own data, and may erase any agent.

The helpdesk sidebar apps exchange the helpdesk's proof of identity for one of these;
`breather token` issues them for scripts and the standalone page.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import jwt

ROLES = ("agent", "lead", "admin")
DEFAULT_TTL = 12 * 3600
MAX_TTL = 30 * 24 * 3600
ALGORITHM = "HS256"
ISSUER = "breather"
AUDIENCE = "breather-api"
LEEWAY = 30  # seconds of clock skew tolerated on iat (a token issued "in the future")


class TokenError(ValueError):
    """A token cannot be issued as asked (unknown role, bad ttl, lead without a team)."""


@dataclass(frozen=True)
class Principal:
    """The verified caller: an agent id, a role and, for leads, their team."""

    agent: str
    role: str = "agent"
    team: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def leads(self, team: str | None) -> bool:
        """Whether this caller is the lead of `team`."""
        return self.role == "lead" and team is not None and self.team == team


def issue_token(secret: str, agent: str, role: str = "agent", ttl: int = DEFAULT_TTL,
                team: str | None = None, now: float | None = None) -> str:
    """A signed token naming `agent` in `role`, valid for `ttl` seconds from `now`.

    Raises:
        TokenError: unknown role, empty agent, ttl out of range, or a lead without a team.
    """
    _check_request(agent, role, ttl, team)
    issued = int(time.time() if now is None else now)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": agent, "role": role,
              "iat": issued, "exp": issued + int(ttl)}
    if team:
        claims["team"] = team
    return jwt.encode(claims, signing_key(secret), algorithm=ALGORITHM)


def verify_token(secret: str, token: str, now: float | None = None) -> Principal | None:
    """The Principal a valid, unexpired token names; None for anything else."""
    try:
        claims = jwt.decode(token, signing_key(secret), algorithms=[ALGORITHM],
                            audience=AUDIENCE, issuer=ISSUER,
                            options={"require": ["iss", "aud", "sub", "iat", "exp"],
                                     "verify_exp": False, "verify_iat": False})
    except (jwt.PyJWTError, TypeError, ValueError):
        return None
    if not _in_time(claims, time.time() if now is None else now):
        return None
    role, team = claims.get("role", "agent"), claims.get("team")
    if role not in ROLES or not isinstance(team, str | None) or (role == "lead" and not team):
        return None
    return Principal(agent=claims["sub"], role=role, team=team)


def signing_key(secret: str) -> bytes:
    """A 32-byte HS256 key for tokens only, derived from BREATHER_SECRET (see decision 17)."""
    return hmac.new(secret.encode(), b"breather api token v1", hashlib.sha256).digest()


def _in_time(claims: dict, now: float) -> bool:
    issued, expires = claims.get("iat"), claims.get("exp")
    if not all(isinstance(v, int | float) for v in (issued, expires)):
        return False
    return issued - LEEWAY <= now < expires


def _check_request(agent: str, role: str, ttl: int, team: str | None) -> None:
    if not agent or not agent.strip():
        raise TokenError("the agent id is empty")
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if not 0 < ttl <= MAX_TTL:
        raise TokenError(f"ttl {ttl}s is outside 1s..{MAX_TTL // 86400}d")
    if role == "lead" and not team:
        raise TokenError("a lead token needs the team it leads (--team)")
