"""An agent exports everything Breather keeps about them, and erasure takes all of it away."""

from __future__ import annotations

import json

from seed import HOSTILE, team_records

from service import create_app
from service.auth import issue_token
from workers.process import apply_records
from workers.settings import Settings
from workers.suggestion_store import current_suggestion

SECRET = "export-test"
HIT = "zendesk:101"


def auth(agent: str) -> dict:
    return {"Authorization": f"Bearer {issue_token(SECRET, agent)}"}


def test_agent_exports_own_data_without_any_message_text(redis):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    now = float(redis.zscore("breather:clock", "latest"))
    offer = current_suggestion(redis, HIT, now)
    client = create_app(Settings(secret=SECRET, clock="data"), redis).test_client()
    assert client.get(f"/api/v1/agents/{HIT}/export", headers=auth("zendesk:102")).status_code \
        == 403
    response = client.get(f"/api/v1/agents/{HIT}/export", headers=auth(HIT))
    assert response.status_code == 200
    data = response.get_json()
    assert data["profile"]["team"] == "Billing"
    assert len(data["message_scores"]) == 5 and data["current_strain"]["strain"] > 0
    assert data["prompt_record"]["open"]["id"] == offer["id"]
    assert [f["kind"] for f in data["break_followups"]] == [offer["kind"]]
    body = json.dumps(data)
    assert not any(text[:30] in body for text in HOSTILE)

    erased = client.delete(f"/api/v1/agents/{HIT}", headers=auth(HIT)).get_json()
    assert erased["break_followups"] == 1
    again = client.get(f"/api/v1/agents/{HIT}/export", headers=auth(HIT)).get_json()
    assert again["message_scores"] == {} and again["break_followups"] == []
    assert again["prompt_record"] is None
