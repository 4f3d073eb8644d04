"""Reading every agent at once (team views, metrics, report): the same views as one agent at a
time, in a fixed number of Redis round trips whatever the number of agents."""

from __future__ import annotations

import pytest
import redis as redis_lib
from seed import team_records

from service import create_app
from service.auth import issue_token
from workers import agents, keys, sharing
from workers.corrections import record_correction
from workers.process import apply_records
from workers.settings import Settings

AT = 1_793_613_600.0  # 2026-11-02T10:00Z, shortly after the seeded bursts
SECRET = "views-test"


class CountingConnection(redis_lib.Connection):
    """A real connection that counts the times it sends (one per round trip)."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


@pytest.fixture
def counting(redis_url):
    pool = redis_lib.ConnectionPool.from_url(redis_url, connection_class=CountingConnection)
    client = redis_lib.Redis(connection_pool=pool)
    yield client
    client.close()


def seed(redis, agents_per_team: int) -> None:
    apply_records(redis, team_records(team="Billing", agents=agents_per_team, hostile_for=2))
    apply_records(redis, team_records(team="Tiny", agents=2, hostile_for=1, source="freshdesk"))


def round_trips(client, **kwargs) -> int:
    CountingConnection.sent = 0
    agents.all_views(client, AT, **kwargs)
    return CountingConnection.sent


def test_all_views_equal_each_agents_own_view(redis):
    """The pipelined read gives, agent by agent, what the one-agent reads give (state,
    profile and recent hostile messages, one of them corrected)."""
    seed(redis, 6)
    record_correction(redis, "zendesk:101", "zendesk:c1-2", False)
    views = agents.all_views(redis, AT)
    assert [view["agent"] for view in views] == agents.agent_ids(redis)
    for view in views:
        assert view["recent_hostile"] == agents.recent_hostile(redis, view["agent"])
        assert {k: view[k] for k in ("name", "team")} == {
            k: agents.agent_profile(redis, view["agent"])[k] for k in ("name", "team")}
        assert view == agents.agent_view(redis, view["agent"], AT)
    by_agent = {view["agent"]: view for view in views}
    assert any(item["corrected"] for item in by_agent["zendesk:101"]["recent_hostile"])
    assert by_agent["zendesk:101"]["strain"] > by_agent["zendesk:106"]["strain"]


def test_all_views_without_recent_leave_only_the_recent_list_out(redis):
    seed(redis, 6)
    full = agents.all_views(redis, AT)
    light = agents.all_views(redis, AT, with_recent=False)
    assert [view["recent_hostile"] for view in light] == [[] for _ in light]
    assert [{**view, "recent_hostile": []} for view in full] == light


def test_reading_every_agent_costs_the_same_round_trips_for_8_or_52_agents(redis, counting):
    seed(redis, 6)
    round_trips(counting)  # the connection's own hand-shake first
    few = round_trips(counting), round_trips(counting, with_recent=False)
    redis.flushdb()
    seed(redis, 50)
    assert (round_trips(counting), round_trips(counting, with_recent=False)) == few
    assert few[0] <= 3 and few[1] <= 2


def test_lead_overview_shows_full_views_of_sharing_members_only(redis):
    seed(redis, 6)
    sharing.set_sharing(redis, "zendesk:101", True)
    sharing.set_sharing(redis, "freshdesk:101", True)  # shares, but with another team's lead
    client = create_app(Settings(secret=SECRET, clock="data"), redis).test_client()
    token = issue_token(SECRET, "zendesk:900", role="lead", team="Billing")
    body = client.get("/api/v1/teams/Billing",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [view["agent"] for view in body["shared"]] == ["zendesk:101"]
    assert body["shared"][0]["recent_hostile"], "a shared view is the agent's full view"
    assert body["summary"]["agents"] == 6 and body["group"] == "Billing"
    assert sharing.sharers(redis) == {"zendesk:101", "freshdesk:101"}
    assert redis.exists(keys.SHARING)
