"""Core HTTP API: health, an agent's own strain, team aggregates, corrections."""

from __future__ import annotations

import pytest
from seed import team_records

from service import create_app
from service.auth import issue_token
from workers import marks
from workers.process import apply_records
from workers.settings import Settings

SECRET = "api-test"


@pytest.fixture
def client(redis):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    return create_app(Settings(secret=SECRET, clock="data"), redis).test_client()


def auth(agent: str) -> dict:
    return {"Authorization": f"Bearer {issue_token(SECRET, agent)}"}


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "redis": "ok"}


def test_agent_strain_explains_itself(client):
    body = client.get("/api/v1/agents/zendesk:101/strain", headers=auth("zendesk:101")).get_json()
    assert body["agent"] == "zendesk:101" and body["team"] == "Billing"
    assert 0 <= body["strain"] <= 100
    assert body["level"] in ("calm", "elevated", "high")
    assert body["hostile_messages"] == 3
    assert body["factors"] and all(isinstance(f, str) for f in body["factors"])
    assert "burnout" not in str(body).lower()


def test_teams_show_aggregates_only(client):
    assert client.get("/api/v1/teams").status_code == 401
    body = client.get("/api/v1/teams", headers=auth("zendesk:103")).get_json()
    billing = body["teams"]["Billing"]
    assert billing["agents"] == 6 and billing["hostile_messages"] == 6
    assert "zendesk:101" not in str(body)


def test_correction_lowers_hostile_count_once(client, redis):
    headers = auth("zendesk:101")
    before = client.get("/api/v1/agents/zendesk:101/strain", headers=headers).get_json()
    message = before["recent_hostile"][0]["id"]
    response = client.post("/api/v1/agents/zendesk:101/corrections", headers=headers,
                           json={"message": message, "hostile": False})
    assert response.status_code == 201 and response.get_json()["changed"] is True
    again = client.post("/api/v1/agents/zendesk:101/corrections", headers=headers,
                        json={"message": message, "hostile": False})
    assert again.get_json()["changed"] is False
    after = client.get("/api/v1/agents/zendesk:101/strain", headers=headers).get_json()
    assert after["hostile_messages"] == before["hostile_messages"] - 1
    assert after["strain"] <= before["strain"]
    assert redis.hlen("breather:corrections") == 1


def test_correction_of_someone_elses_message_is_refused(client, redis):
    message = next(m for _, m, _ in marks.of_agent(redis, "zendesk:102"))
    response = client.post("/api/v1/agents/zendesk:101/corrections", headers=auth("zendesk:101"),
                           json={"message": message, "hostile": False})
    assert response.status_code == 404


@pytest.mark.parametrize("body, field", [({}, "message"), ({"message": "x"}, "hostile"),
                                         ({"message": "x", "hostile": "nah"}, "hostile"),
                                         ({"message": "x", "hostile": False, "extra": 1}, "extra")])
def test_bad_correction_requests_name_the_field(client, body, field):
    response = client.post("/api/v1/agents/zendesk:101/corrections", headers=auth("zendesk:101"),
                           json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_unknown_agent_is_404(client):
    response = client.get("/api/v1/agents/zendesk:999/strain", headers=auth("zendesk:999"))
    assert response.status_code == 404


def test_unknown_routes_and_methods_answer_json(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and "error" in missing.get_json()
    wrong = client.delete("/healthz")
    assert wrong.status_code == 405 and "error" in wrong.get_json()


def test_redis_down_is_a_clear_503_not_a_trace(redis):
    import redis as redis_lib

    dead = redis_lib.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    client = create_app(Settings(secret=SECRET), dead).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "error"
    teams = client.get("/api/v1/teams", headers=auth("zendesk:101"))
    assert teams.status_code == 503 and "Redis" in teams.get_json()["error"]


def test_agent_erases_own_data(client, redis):
    """After erasure nothing about the agent remains, and others' data is untouched."""
    import json

    before_other = redis.get("breather:strain:zendesk:102")
    assert client.delete("/api/v1/agents/zendesk:101", headers=auth("zendesk:102")).status_code \
        == 403
    result = client.delete("/api/v1/agents/zendesk:101", headers=auth("zendesk:101")).get_json()
    assert result["message_scores"] >= 3
    assert client.get("/api/v1/agents/zendesk:101/strain",
                      headers=auth("zendesk:101")).status_code == 404
    for key in redis.scan_iter():
        value = redis.get(key) if redis.type(key) == b"string" else b""
        assert b"zendesk:101" not in key
        assert not (value.startswith(b"{") and json.loads(value).get("agent") == "zendesk:101")
    assert redis.get("breather:strain:zendesk:102") == before_other


def test_strain_switched_off(redis):
    app = create_app(Settings(secret=SECRET, disabled=frozenset({"strain"})), redis)
    client = app.test_client()
    response = client.get("/api/v1/agents/zendesk:101/strain", headers=auth("zendesk:101"))
    assert response.status_code == 404 and "switched off" in response.get_json()["error"]
    assert client.get("/api/v1/agents/zendesk:101/suggestion",
                      headers=auth("zendesk:101")).status_code == 404
