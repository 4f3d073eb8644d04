"""Agent tokens: an agent reaches their own data only."""

from __future__ import annotations

import pytest

from service import create_app
from service.auth import issue_token, verify_token
from workers.settings import Settings

SECRET = "s3cret"


def test_token_round_trip_and_expiry():
    token = issue_token(SECRET, "zendesk:7", ttl=60, now=1000)
    assert verify_token(SECRET, token, now=1030) == "zendesk:7"
    assert verify_token(SECRET, token, now=1061) is None
    assert verify_token("other", token, now=1030) is None


@pytest.mark.parametrize("garbage", ["", "a.b", "a.b.c", "x.1.y.z", "🙂.1.2"])
def test_garbage_tokens_are_rejected(garbage):
    assert verify_token(SECRET, garbage) is None


def test_tampered_agent_is_rejected():
    token = issue_token(SECRET, "zendesk:7")
    other = issue_token(SECRET, "zendesk:8")
    forged = ".".join([other.split(".")[0], *token.split(".")[1:]])
    assert verify_token(SECRET, forged) is None


@pytest.fixture
def client(redis):
    app = create_app(Settings(secret=SECRET), redis)
    return app.test_client()


def test_agent_routes_need_a_token(client):
    assert client.get("/api/v1/agents/zendesk:7/strain").status_code == 401


def test_token_for_another_agent_is_forbidden(client):
    headers = {"Authorization": f"Bearer {issue_token(SECRET, 'zendesk:8')}"}
    assert client.get("/api/v1/agents/zendesk:7/strain", headers=headers).status_code == 403


def test_own_token_passes_auth(client):
    """With the right token the request reaches the handler (404: no such agent yet)."""
    headers = {"Authorization": f"Bearer {issue_token(SECRET, 'zendesk:7')}"}
    response = client.get("/api/v1/agents/zendesk:7/strain", headers=headers)
    assert response.status_code == 404
    assert "unknown agent" in response.get_json()["error"]
