"""Breather's own tokens (PyJWT, HS256 pinned) and the `breather token` command."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from click.testing import CliRunner

from service.auth import (
    AUDIENCE,
    ISSUER,
    Principal,
    TokenError,
    issue_token,
    signing_key,
    verify_token,
)
from service.cli import main

SECRET = "s3cret"


def test_token_round_trip_and_expiry():
    token = issue_token(SECRET, "zendesk:7", ttl=60, now=1000)
    assert verify_token(SECRET, token, now=1030) == Principal("zendesk:7", "agent", None)
    assert verify_token(SECRET, token, now=1060) is None
    assert verify_token("other", token, now=1030) is None


def test_roles_and_team_travel_in_the_token():
    lead = verify_token(SECRET, issue_token(SECRET, "zendesk:1", role="lead", team="Billing"))
    assert lead == Principal("zendesk:1", "lead", "Billing") and lead.leads("Billing")
    assert not lead.leads("Sales") and not lead.is_admin
    admin = verify_token(SECRET, issue_token(SECRET, "ops", role="admin"))
    assert admin.is_admin and admin.team is None


def test_the_token_is_a_jwt_with_breathers_issuer_and_audience():
    token = issue_token(SECRET, "zendesk:7", now=1000, ttl=60)
    claims = jwt.decode(token, signing_key(SECRET), algorithms=["HS256"], audience=AUDIENCE,
                        options={"verify_exp": False, "verify_iat": False})
    assert claims == {"iss": ISSUER, "aud": AUDIENCE, "sub": "zendesk:7", "role": "agent",
                      "iat": 1000, "exp": 1060}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


@pytest.mark.parametrize("agent, role, ttl, team, words", [
    ("zendesk:7", "boss", 60, None, "unknown role"),
    ("", "agent", 60, None, "empty"),
    ("zendesk:7", "agent", 0, None, "ttl"),
    ("zendesk:7", "agent", 31 * 86400, None, "ttl"),
    ("zendesk:7", "lead", 60, None, "team"),
])
def test_tokens_that_cannot_be_issued_say_why(agent, role, ttl, team, words):
    with pytest.raises(TokenError, match=words):
        issue_token(SECRET, agent, role=role, ttl=ttl, team=team)


@pytest.mark.parametrize("garbage", ["", "a.b", "a.b.c", "x.1.y.z", "🙂.1.2"])
def test_garbage_tokens_are_rejected(garbage):
    assert verify_token(SECRET, garbage) is None


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_tampered_claims_are_rejected():
    """Swapping the claims of a valid token (an agent raising their role) breaks the signature."""
    header, _, signature = issue_token(SECRET, "zendesk:7").split(".")
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "zendesk:7", "role": "admin",
              "iat": 1, "exp": 2**40}
    assert verify_token(SECRET, f"{header}.{_b64(claims)}.{signature}") is None


def test_alg_none_and_other_algorithms_are_refused():
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "zendesk:7", "iat": 1, "exp": 2**40}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert verify_token(SECRET, unsigned) is None
    hs512 = jwt.encode(claims, signing_key(SECRET) * 2, algorithm="HS512")
    assert verify_token(SECRET, hs512) is None


@pytest.mark.parametrize("change", [{"aud": "someone-else"}, {"iss": "zendesk"},
                                    {"role": "superuser"}, {"role": "lead"}])
def test_foreign_audience_issuer_or_role_is_refused(change):
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "zendesk:7", "iat": 1, "exp": 2**40,
              **change}
    assert verify_token(SECRET, jwt.encode(claims, signing_key(SECRET), algorithm="HS256")) \
        is None


def test_a_token_without_expiry_is_refused():
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "zendesk:7", "iat": 1}
    assert verify_token(SECRET, jwt.encode(claims, signing_key(SECRET), algorithm="HS256")) \
        is None


def test_a_token_issued_in_the_future_is_refused():
    token = issue_token(SECRET, "zendesk:7", now=10_000, ttl=3600)
    assert verify_token(SECRET, token, now=10_000 - 3600) is None


def run_token(monkeypatch, *args):
    monkeypatch.setenv("BREATHER_SECRET", SECRET)
    return CliRunner().invoke(main, ["token", *args])


def test_token_command_issues_a_lead_token(monkeypatch):
    result = run_token(monkeypatch, "--agent", "zendesk:7", "--role", "lead", "--team",
                       "Billing", "--ttl", "8h")
    assert result.exit_code == 0, result.output
    token, link = result.output.splitlines()
    principal = verify_token(SECRET, token)
    assert principal == Principal("zendesk:7", "lead", "Billing")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 8 * 3600
    assert "/widget?agent=zendesk%3A7&token=" in link


@pytest.mark.parametrize("args, words", [
    (["--agent", "zendesk:7", "--role", "boss"], "'boss' is not one of"),
    (["--agent", "zendesk:7", "--ttl", "8 hours"], "not a duration"),
    (["--agent", "zendesk:7", "--ttl", "0h"], "not a duration"),
    (["--agent", "zendesk:7", "--ttl", "90d"], "ttl"),
    (["--agent", "zendesk:7", "--role", "lead"], "needs the team"),
    (["--role", "agent"], "Missing option '--agent'"),
])
def test_token_command_bad_flags_get_one_clear_line(monkeypatch, args, words):
    result = run_token(monkeypatch, *args)
    assert result.exit_code == 2
    assert words in result.output and "Traceback" not in result.output
