"""The agent's controls over HTTP: suggestion, answer, check-in, breaks, team rotation."""

from __future__ import annotations

import pytest
import requests
from redis_counts import round_trips
from seed import team_records
from servers import LiveServer

from service import create_app
from service.auth import issue_token
from workers.process import apply_records
from workers.settings import Settings

SECRET = "suggest-secret"
HIT = "zendesk:101"


def auth(agent: str = HIT) -> dict:
    return {"Authorization": f"Bearer {issue_token(SECRET, agent)}"}


@pytest.fixture
def app(redis):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    return create_app(Settings(secret=SECRET, clock="data"), redis)


@pytest.fixture
def client(app):
    return app.test_client()


def test_rough_stretch_brings_one_suggestion_that_stays_until_answered(client):
    first = client.get(f"/api/v1/agents/{HIT}/suggestion", headers=auth()).get_json()
    suggestion = first["suggestion"]
    assert suggestion["kind"] in ("cool_down", "break")
    assert suggestion["gentle"] is True
    again = client.get(f"/api/v1/agents/{HIT}/suggestion", headers=auth()).get_json()
    assert again["suggestion"]["id"] == suggestion["id"]


def test_accepting_a_break_offer_starts_a_break_and_quiets_prompts(client):
    suggestion = client.get(f"/api/v1/agents/{HIT}/suggestion",
                            headers=auth()).get_json()["suggestion"]
    answered = client.post(f"/api/v1/agents/{HIT}/suggestion/{suggestion['id']}",
                           headers=auth(), json={"response": "accept"})
    assert answered.status_code == 200
    view = client.get(f"/api/v1/agents/{HIT}/strain", headers=auth()).get_json()
    assert view["on_break"] is True
    assert client.get(f"/api/v1/agents/{HIT}/suggestion",
                      headers=auth()).get_json()["suggestion"] is None
    ended = client.post(f"/api/v1/agents/{HIT}/breaks", headers=auth(), json={"action": "end"})
    assert ended.get_json() == {"on_break": False}


@pytest.mark.parametrize("body, field", [({"response": "maybe"}, "response"),
                                         ({"response": "snooze", "minutes": 7}, "minutes"),
                                         ({"response": "accept", "minutes": 5}, "minutes"),
                                         ({"response": "accept", "why": "x"}, "why")])
def test_bad_answers_name_the_field(client, body, field):
    suggestion = client.get(f"/api/v1/agents/{HIT}/suggestion",
                            headers=auth()).get_json()["suggestion"]
    response = client.post(f"/api/v1/agents/{HIT}/suggestion/{suggestion['id']}",
                           headers=auth(), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_answering_a_suggestion_that_is_not_open_is_404(client):
    response = client.post(f"/api/v1/agents/{HIT}/suggestion/nope", headers=auth(),
                           json={"response": "decline"})
    assert response.status_code == 404


def test_checkin_counts_and_validates(client):
    assert client.post(f"/api/v1/agents/{HIT}/checkin", headers=auth(),
                       json={"value": 9}).status_code == 422
    assert client.post(f"/api/v1/agents/{HIT}/checkin", headers=auth(),
                       json={"value": 1}).status_code == 201
    view = client.get(f"/api/v1/agents/{HIT}/strain", headers=auth()).get_json()
    assert any("checked in at 1/5" in f for f in view["factors"])


def test_rotation_orders_by_least_exposure_without_values(client):
    body = client.get("/api/v1/teams/Billing/rotation", headers=auth("zendesk:103")).get_json()
    order = [row["agent"] for row in body["order"]]
    assert len(order) == 6
    assert set(order[-2:]) == {"zendesk:101", "zendesk:102"}  # they carried the bursts
    assert all(set(row) == {"rank", "agent", "name"} for row in body["order"])


def test_functions_switch_off(redis):
    apply_records(redis, team_records(agents=6))
    app = create_app(Settings(secret=SECRET, clock="data",
                              disabled=frozenset({"suggestions"})), redis)
    client = app.test_client()
    assert client.get(f"/api/v1/agents/{HIT}/suggestion", headers=auth()).status_code == 404
    app = create_app(Settings(secret=SECRET, clock="data", disabled=frozenset({"rotation"})),
                     redis)
    assert app.test_client().get("/api/v1/teams/Billing/rotation",
                                 headers=auth()).status_code == 404


def test_snooze_over_real_http(app):
    with LiveServer(app) as server:
        url = f"{server.url}/api/v1/agents/{HIT}/suggestion"
        suggestion = requests.get(url, headers=auth(), timeout=10).json()["suggestion"]
        response = requests.post(f"{url}/{suggestion['id']}", headers=auth(),
                                 json={"response": "snooze", "minutes": 15}, timeout=10)
        assert response.status_code == 200 and response.json()["response"] == "snooze"


def test_handoff_offer_reaches_teammates_who_decide(client, redis):
    """Accepting a hand-off offer posts the ticket to the team; a teammate may take it."""
    from workers.suggestion_store import offer_ticket

    offer_ticket(redis, HIT, "zendesk:1001", redis.zscore("breather:clock", "latest"))
    own = client.get(f"/api/v1/agents/{HIT}/offers", headers=auth()).get_json()
    assert own["offers"] == []  # not offered to oneself
    mate = "zendesk:104"
    offers = client.get(f"/api/v1/agents/{mate}/offers", headers=auth(mate)).get_json()["offers"]
    assert [o["ticket"] for o in offers] == ["zendesk:1001"]
    taken = client.post(f"/api/v1/agents/{mate}/offers/zendesk:1001", headers=auth(mate),
                        json={"action": "take"})
    assert taken.status_code == 200
    again = client.post(f"/api/v1/agents/{mate}/offers/zendesk:1001", headers=auth(mate),
                        json={"action": "take"})
    assert again.status_code == 404
    # Breather assigned nothing: the ticket still belongs to its agent
    assert redis.hget("breather:ticket:zendesk:1001", "agent") == HIT.encode()



def test_checkins_switched_off_answer_404_and_leave_state_alone(redis):
    apply_records(redis, team_records(agents=6))
    app = create_app(Settings(secret=SECRET, clock="data", disabled=frozenset({"checkin"})),
                     redis)
    client = app.test_client()
    response = client.post(f"/api/v1/agents/{HIT}/checkin", headers=auth(), json={"value": 1})
    assert response.status_code == 404
    view = client.get(f"/api/v1/agents/{HIT}/strain", headers=auth()).get_json()
    assert not any("checked in" in f for f in view["factors"])


def test_a_break_started_and_ended_by_the_agent(client):
    bad = client.post(f"/api/v1/agents/{HIT}/breaks", headers=auth(), json={"action": "nap"})
    assert bad.status_code == 422 and "action" in bad.get_json()["errors"]
    started = client.post(f"/api/v1/agents/{HIT}/breaks", headers=auth(), json={"action": "start"})
    assert started.get_json() == {"on_break": True}
    view = client.get(f"/api/v1/agents/{HIT}/strain", headers=auth()).get_json()
    assert view["on_break"] is True and "on a break now" in view["factors"]
    assert client.get(f"/api/v1/agents/{HIT}/suggestion",
                      headers=auth()).get_json()["suggestion"] is None


def test_a_decline_quiets_that_kind_and_counts_only_in_aggregate(client, redis):
    suggestion = client.get(f"/api/v1/agents/{HIT}/suggestion",
                            headers=auth()).get_json()["suggestion"]
    declined = client.post(f"/api/v1/agents/{HIT}/suggestion/{suggestion['id']}",
                           headers=auth(), json={"response": "decline"})
    assert declined.status_code == 200
    after = client.get(f"/api/v1/agents/{HIT}/suggestion", headers=auth()).get_json()
    assert after["suggestion"] is None or after["suggestion"]["kind"] != suggestion["kind"]
    counts = {k.decode(): int(v) for k, v in redis.hgetall("breather:stats:responses").items()}
    assert counts == {f"{suggestion['kind']}|decline": 1}


def test_the_widgets_refresh_costs_few_round_trips(client, redis):
    """With the data clock read in the same pipeline as the agent's data: an unchanged
    suggestion one round trip, offers two (the team, then its offers), strain two (the view,
    then its hostile messages' marks)."""
    opened = client.get(f"/api/v1/agents/{HIT}/suggestion", headers=auth()).get_json()

    def get(path: str) -> dict:
        response = client.get(f"/api/v1/agents/{HIT}/{path}", headers=auth())
        assert response.status_code == 200
        return response.get_json()

    assert round_trips(redis, lambda: get("suggestion")) == 1
    assert get("suggestion") == opened
    assert round_trips(redis, lambda: get("offers")) == 2
    assert round_trips(redis, lambda: get("strain")) == 2
    assert get("strain")["recent_hostile"]
