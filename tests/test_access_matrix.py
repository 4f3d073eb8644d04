"""Who may call what: role x endpoint x whose data x token state, each with its expected status.

The caller is always zendesk:101 of team Billing, as an agent, as Billing's lead, or as an
admin. Their targets: their own data, a teammate who shares with the lead (zendesk:102), and a
teammate who does not (zendesk:103). Real app, real Redis.
"""

from __future__ import annotations

import time

import pytest
from seed import team_records

from service import create_app
from service.auth import issue_token
from workers import sharing
from workers.process import apply_records
from workers.settings import Settings

SECRET = "matrix-secret"
ME, TEAM = "zendesk:101", "Billing"
TARGETS = {"own": ME, "sharing_teammate": "zendesk:102", "private_teammate": "zendesk:103"}
ROLES = ("agent", "lead", "admin")
TOKEN_STATES = ("valid", "expired", "forged", "missing")


def _message(agent: str) -> str:
    """A neutral message on the agent's ticket (seed ids: zendesk:c<n>-0)."""
    return f"zendesk:c{int(agent.split(':')[1]) - 100}-0"


# (name, method, path, body, success status for the data's owner)
AGENT_ENDPOINTS = [
    ("strain", "GET", "/api/v1/agents/{a}/strain", None, 200),
    ("correction", "POST", "/api/v1/agents/{a}/corrections",
     lambda a: {"message": _message(a), "hostile": True}, 201),
    ("sharing_get", "GET", "/api/v1/agents/{a}/sharing", None, 200),
    ("sharing_put", "PUT", "/api/v1/agents/{a}/sharing", {"share_with_lead": True}, 200),
    ("export", "GET", "/api/v1/agents/{a}/export", None, 200),
    ("erase", "DELETE", "/api/v1/agents/{a}", None, 200),
    ("suggestion", "GET", "/api/v1/agents/{a}/suggestion", None, 200),
    ("answer", "POST", "/api/v1/agents/{a}/suggestion/none-open", {"response": "decline"}, 404),
    ("checkin", "POST", "/api/v1/agents/{a}/checkin", {"value": 3}, 201),
    ("break", "POST", "/api/v1/agents/{a}/breaks", {"action": "start"}, 201),
    ("offers", "GET", "/api/v1/agents/{a}/offers", None, 200),
    ("offer_answer", "POST", "/api/v1/agents/{a}/offers/zendesk:1001", {"action": "dismiss"},
     404),
]
# (name, method, path, success status per role)
TEAM_ENDPOINTS = [
    ("me", "GET", "/api/v1/me", {"agent": 200, "lead": 200, "admin": 200}),
    ("teams", "GET", "/api/v1/teams", {"agent": 200, "lead": 200, "admin": 200}),
    ("overview", "GET", f"/api/v1/teams/{TEAM}", {"agent": 403, "lead": 200, "admin": 200}),
    ("rotation", "GET", f"/api/v1/teams/{TEAM}/rotation",
     {"agent": 200, "lead": 200, "admin": 200}),
]


def expected_for_agent_endpoint(name: str, success: int, role: str, target: str,
                                state: str) -> int:
    """The rule table of service/access.py, restated independently."""
    if state != "valid":
        return 401
    if target == "own":
        return success
    if name == "strain" and role == "lead" and target == "sharing_teammate":
        return success
    if name == "erase" and role == "admin":
        return success
    return 403


def token_for(role: str, state: str) -> str | None:
    team = TEAM if role == "lead" else None
    if state == "missing":
        return None
    if state == "expired":
        return issue_token(SECRET, ME, role=role, team=team, ttl=3600, now=time.time() - 7200)
    if state == "forged":
        return issue_token("not-the-secret", ME, role=role, team=team)
    return issue_token(SECRET, ME, role=role, team=team)


@pytest.fixture
def client(redis, request):
    """The app over a seeded Redis (a refused token never reaches data: no seeding needed)."""
    params = getattr(request.node, "callspec", None)
    if params is None or params.params.get("state", "valid") == "valid":
        apply_records(redis, team_records(team=TEAM, agents=6, hostile_for=2))
        sharing.set_sharing(redis, TARGETS["sharing_teammate"], True)
    return create_app(Settings(secret=SECRET, clock="data"), redis).test_client()


def call(client, method: str, path: str, body, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("state", TOKEN_STATES)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, path, body, success", AGENT_ENDPOINTS,
                         ids=[e[0] for e in AGENT_ENDPOINTS])
def test_agent_endpoint_access(client, name, method, path, body, success, role, target, state):
    agent = TARGETS[target]
    payload = body(agent) if callable(body) else body
    response = call(client, method, path.format(a=agent), payload, token_for(role, state))
    expected = expected_for_agent_endpoint(name, success, role, target, state)
    assert response.status_code == expected, response.get_json()
    if expected in (401, 403):
        assert set(response.get_json()) >= {"code", "status", "error"}


@pytest.mark.parametrize("state", TOKEN_STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, path, success", TEAM_ENDPOINTS,
                         ids=[e[0] for e in TEAM_ENDPOINTS])
def test_team_endpoint_access(client, name, method, path, success, role, state):
    response = call(client, method, path, None, token_for(role, state))
    assert response.status_code == (success[role] if state == "valid" else 401), \
        response.get_json()


def test_a_lead_of_another_team_sees_neither_overview_nor_detail(client):
    token = issue_token(SECRET, "zendesk:900", role="lead", team="Sales")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/teams/{TEAM}", headers=headers).status_code == 403
    assert client.get("/api/v1/agents/zendesk:102/strain", headers=headers).status_code == 403


def test_401_says_how_to_authenticate(client):
    response = client.get("/api/v1/agents/zendesk:101/strain")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.get_json()["error"]
