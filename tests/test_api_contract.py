"""The API's contract: one error format, strict bodies, size limit, OpenAPI document and
reference page, CORS for the helpdesk origins only, security headers, export and sharing."""

from __future__ import annotations

import json

import pytest
import requests
from seed import team_records
from servers import LiveServer

from service import create_app
from service.auth import issue_token
from workers.process import apply_records
from workers.settings import ConfigError, Settings

SECRET = "contract-secret"
ME = "zendesk:101"
ZENDESK = "https://acme.zendesk.com"


def auth(agent: str = ME, **kwargs) -> dict:
    return {"Authorization": f"Bearer {issue_token(SECRET, agent, **kwargs)}"}


@pytest.fixture
def app(redis):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    origins = (ZENDESK, "https://*.freshdesk.com")
    return create_app(Settings(secret=SECRET, clock="data", helpdesk_origins=origins), redis)


@pytest.fixture
def client(app):
    return app.test_client()


def test_strain_has_no_duplicated_fields(client):
    body = client.get(f"/api/v1/agents/{ME}/strain", headers=auth()).get_json()
    assert body["customer_messages"] > 0 and body["hostile_messages"] == 3
    assert "customer_messages_24h" not in body and "hostile_24h" not in body


@pytest.mark.parametrize("path, method, body", [
    (f"/api/v1/agents/{ME}/checkin", "POST", {"value": 3, "mood": "ok"}),
    (f"/api/v1/agents/{ME}/breaks", "POST", {"action": "start", "until": 5}),
    (f"/api/v1/agents/{ME}/sharing", "PUT", {"share_with_lead": True, "with": "all"}),
])
def test_unknown_fields_are_refused_by_name(client, path, method, body):
    response = client.open(path, method=method, json=body, headers=auth())
    assert response.status_code == 422
    error = response.get_json()
    assert error["code"] == 422 and error["status"] == "Unprocessable Entity"
    [unknown] = set(body) - {"value", "action", "share_with_lead"}
    assert unknown in error["errors"] and unknown in error["error"]


@pytest.mark.parametrize("value", [1, 0, 0.0, "true", "yes", None])
def test_booleans_must_be_json_booleans(client, value):
    response = client.put(f"/api/v1/agents/{ME}/sharing", json={"share_with_lead": value},
                          headers=auth())
    assert response.status_code == 422 and "share_with_lead" in response.get_json()["errors"]


def test_a_body_over_16_kib_is_refused_before_it_is_read(client):
    big = json.dumps({"message": "x" * 20_000, "hostile": False})
    response = client.post(f"/api/v1/agents/{ME}/corrections", data=big,
                           content_type="application/json", headers=auth())
    assert response.status_code == 413
    assert response.get_json()["code"] == 413


def test_a_body_that_is_not_json_is_a_clear_error(client):
    response = client.post(f"/api/v1/agents/{ME}/checkin", data="{not json",
                           content_type="application/json", headers=auth())
    assert response.status_code in (400, 422)
    assert set(response.get_json()) >= {"code", "status", "error"}


def test_every_error_has_the_same_shape(client):
    for response in (client.get("/api/v1/nothing"), client.delete("/healthz"),
                     client.get(f"/api/v1/agents/{ME}/strain"),
                     client.get("/api/v1/agents/zendesk:102/strain", headers=auth()),
                     client.get("/api/v1/agents/zendesk:999/strain",
                                headers=auth("zendesk:999"))):
        body = response.get_json()
        assert set(body) >= {"code", "status", "error"} and body["code"] == response.status_code


def test_openapi_document_is_generated_from_the_schemas(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    strain = spec["components"]["schemas"]["Strain"]["properties"]
    assert "hostile_messages" in strain and "hostile_24h" not in strain
    assert spec["components"]["schemas"]["Checkin"]["additionalProperties"] is False
    expected = {"/api/v1/me", "/api/v1/agents/{agent}/strain", "/api/v1/agents/{agent}/export",
                "/api/v1/agents/{agent}", "/api/v1/teams/{team}", "/api/v1/teams"}
    assert expected <= set(spec["paths"])


def test_reference_page_renders_the_spec_from_our_own_files(app, redis):
    """The page and every script and style it loads come from Breather itself."""
    with LiveServer(app) as server:
        page = requests.get(f"{server.url}/api/docs/", timeout=10)
        assert page.status_code == 200 and "<script>" not in page.text
        assets = [part.split('"')[1] for part in page.text.split("src=")[1:]] + \
                 [part.split('"')[1] for part in page.text.split('rel="stylesheet" href=')[1:]]
        assert assets and all(a.startswith("/api/docs/") for a in assets)
        for asset in assets:
            assert requests.get(server.url + asset, timeout=10).status_code == 200, asset
        assert "openapi.json" in requests.get(f"{server.url}/api/docs/reference.js",
                                              timeout=10).text


def test_security_headers_on_every_response(client):
    for response in (client.get("/healthz"), client.get("/widget"), client.get("/openapi.json"),
                     client.get(f"/api/v1/agents/{ME}/strain", headers=auth()),
                     client.get("/api/v1/nothing")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert f"frame-ancestors 'self' {ZENDESK} https://*.freshdesk.com" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("origin, allowed", [
    (ZENDESK, True), ("https://acme.freshdesk.com", True), ("https://evil.example", False),
    ("https://acme.zendesk.com.evil.example", False), ("http://acme.zendesk.com", False),
])
def test_cors_answers_only_the_helpdesk_origins(client, origin, allowed):
    preflight = client.options(f"/api/v1/agents/{ME}/strain", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    granted = preflight.headers.get("Access-Control-Allow-Origin")
    assert (granted == origin) is allowed and granted != "*"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    response = client.get(f"/api/v1/agents/{ME}/strain", headers={**auth(), "Origin": origin})
    assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed


@pytest.mark.parametrize("raw, words", [
    ("acme.zendesk.com", "is not an origin"),
    ("https://acme.zendesk.com/agent", "is not an origin"),
    ("http://acme.zendesk.com", "must use https"),
    ("https://acme.zendesk.com:*", "only for localhost"),
])
def test_bad_helpdesk_origins_stop_start_up_with_a_clear_error(raw, words):
    with pytest.raises(ConfigError, match="BREATHER_HELPDESK_ORIGINS.*" + words):
        Settings.from_env({"BREATHER_HELPDESK_ORIGINS": raw})


def test_helpdesk_origins_default_to_the_configured_accounts():
    settings = Settings.from_env({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "a@b.c",
                                  "ZENDESK_TOKEN": "t", "FRESHDESK_DOMAIN": "acme",
                                  "FRESHDESK_API_KEY": "k"})
    assert settings.embedding_origins == ("https://acme.freshdesk.com", ZENDESK)
    explicit = Settings.from_env({"BREATHER_HELPDESK_ORIGINS": "https://x.zendesk.com"})
    assert explicit.embedding_origins == ("https://x.zendesk.com",)


def test_export_holds_everything_kept_about_the_agent_and_nothing_of_others(client):
    client.put(f"/api/v1/agents/{ME}/sharing", json={"share_with_lead": True}, headers=auth())
    body = client.get(f"/api/v1/agents/{ME}/export", headers=auth()).get_json()
    assert body["agent"] == ME and body["profile"]["team"] == "Billing"
    assert body["current_strain"]["strain"] >= 0
    assert len(body["message_scores"]) == 5
    assert all(score["agent"] == ME for score in body["message_scores"].values())
    assert body["shares_with_lead"] is True
    assert "zendesk:102" not in json.dumps(body)


def test_sharing_with_the_lead_is_the_agents_choice(client):
    lead = auth("zendesk:106", role="lead", team="Billing")
    assert client.get(f"/api/v1/agents/{ME}/strain", headers=lead).status_code == 403
    overview = client.get("/api/v1/teams/Billing", headers=lead).get_json()
    assert overview["shared"] == [] and overview["summary"]["agents"] == 6
    client.put(f"/api/v1/agents/{ME}/sharing", json={"share_with_lead": True}, headers=auth())
    assert client.get(f"/api/v1/agents/{ME}/strain", headers=lead).status_code == 200
    overview = client.get("/api/v1/teams/Billing", headers=lead).get_json()
    assert [view["agent"] for view in overview["shared"]] == [ME]
    admin = client.get("/api/v1/teams/Billing", headers=auth("ops", role="admin")).get_json()
    assert admin["shared"] == [] and admin["summary"]["agents"] == 6
    client.put(f"/api/v1/agents/{ME}/sharing", json={"share_with_lead": False}, headers=auth())
    assert client.get(f"/api/v1/agents/{ME}/strain", headers=lead).status_code == 403


def test_small_teams_are_pooled_in_the_lead_overview(redis):
    apply_records(redis, team_records(team="Tiny", agents=3, hostile_for=1, source="freshdesk"))
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    client = create_app(Settings(secret=SECRET, clock="data"), redis).test_client()
    body = client.get("/api/v1/teams/Tiny", headers=auth("freshdesk:101", role="lead",
                                                         team="Tiny")).get_json()
    assert body["group"] == "small teams" and body["summary"]["suppressed"] is True
    teams = client.get("/api/v1/teams", headers=auth()).get_json()["teams"]
    assert "Tiny" not in teams and "small teams" in teams


def test_an_admin_erases_another_agent_and_is_told_what_went(client, redis):
    admin = auth("ops", role="admin")
    response = client.delete("/api/v1/agents/zendesk:102", headers=admin)
    assert response.status_code == 200 and response.get_json()["message_scores"] == 5
    assert redis.get("breather:strain:zendesk:102") is None
    assert redis.get(f"breather:strain:{ME}") is not None


def test_me_names_the_caller(client):
    body = client.get("/api/v1/me", headers=auth(role="lead", team="Billing")).get_json()
    assert body == {"agent": ME, "role": "lead", "team": "Billing"}


def test_webhook_and_app_refusals_share_the_error_shape(client):
    """Routes outside /api/v1 that answer errors themselves use the same shape."""
    for response in (client.post("/hooks/zendesk", data=b"{}"),
                     client.post("/apps/freshdesk/session", json={})):
        body = response.get_json()
        assert response.status_code in (401, 404)
        assert set(body) >= {"code", "status", "error"} and body["code"] == response.status_code
