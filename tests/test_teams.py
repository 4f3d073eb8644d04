"""The per-team member sets: kept by the agents stream, followed on a team change, built once
for a Redis written before they existed, and what keeps team-wide reads bounded."""

from __future__ import annotations

from redis_counts import commands_sent

from workers import keys, strain, teams
from workers.erase import erase_agent
from workers.process import apply_records
from workers.strain import new_state
from workers.suggestion_store import rotation, teammates_with_room

NOW = 1_762_070_400.0


def agent(agent_id: str, team: str | None) -> dict:
    return {"kind": "agent", "source": "zendesk", "id": agent_id, "team": team}


def calm(redis, *ids: str) -> None:
    for agent_id in ids:
        redis.set(keys.strain(agent_id), strain.dumps(new_state(agent_id)))


def test_an_agent_who_changes_team_leaves_the_old_teams_set(redis):
    """The agents stream moves an agent between sets; teammates follow the move."""
    apply_records(redis, [agent("zendesk:1", "Billing"), agent("zendesk:2", "Billing"),
                          agent("zendesk:3", "Sales")])
    calm(redis, "zendesk:1", "zendesk:2", "zendesk:3")
    assert teams.members(redis, "Billing") == ["zendesk:1", "zendesk:2"]
    assert teammates_with_room(redis, "zendesk:1", "Billing", NOW) == 1
    apply_records(redis, [agent("zendesk:2", "Sales")])
    assert teams.members(redis, "Billing") == ["zendesk:1"]
    assert teams.members(redis, "Sales") == ["zendesk:2", "zendesk:3"]
    assert teammates_with_room(redis, "zendesk:1", "Billing", NOW) == 0
    assert teammates_with_room(redis, "zendesk:3", "Sales", NOW) == 1
    apply_records(redis, [agent("zendesk:3", None)])
    assert teams.members(redis, "Sales") == ["zendesk:2"]


def test_a_member_left_in_a_stale_set_is_not_counted(redis):
    """A set that lags a move (e.g. an older worker wrote the profile) never miscounts."""
    apply_records(redis, [agent("zendesk:1", "Billing"), agent("zendesk:2", "Sales")])
    calm(redis, "zendesk:1", "zendesk:2")
    redis.sadd(keys.team_members("Billing"), "zendesk:2")
    assert teammates_with_room(redis, "zendesk:1", "Billing", NOW) == 0
    assert [row["agent"] for row in rotation(redis, "Billing", NOW)] == ["zendesk:1"]


def test_a_redis_without_the_sets_is_indexed_once_from_the_profiles(redis):
    apply_records(redis, [agent("zendesk:1", "Billing"), agent("zendesk:2", "Billing"),
                          agent("zendesk:3", None)])
    redis.delete(keys.TEAM_INDEX_BUILT, keys.team_members("Billing"))
    assert teams.members(redis, "Billing") == ["zendesk:1", "zendesk:2"]
    assert redis.exists(keys.TEAM_INDEX_BUILT)
    assert commands_sent(redis, lambda: teams.members(redis, "Billing")) == {"exists": 1,
                                                                             "smembers": 1}


def test_counting_teammates_costs_the_same_however_many_agents_other_teams_have(redis):
    apply_records(redis, [agent(f"zendesk:{n}", "Billing") for n in range(3)])
    calm(redis, "zendesk:1", "zendesk:2")

    def count() -> None:
        assert teammates_with_room(redis, "zendesk:0", "Billing", NOW) == 2

    count()  # a new Redis: the first reader indexes the profiles (once)
    few = commands_sent(redis, count)
    apply_records(redis, [agent(f"zendesk:{n}", f"Team {n % 5}") for n in range(100, 400)])
    assert commands_sent(redis, count) == few == {"exists": 1, "smembers": 1, "hget": 2,
                                                  "mget": 1}


def test_erasure_takes_the_agent_out_of_their_teams_set(redis):
    apply_records(redis, [agent("zendesk:1", "Billing"), agent("zendesk:2", "Billing")])
    erase_agent(redis, "zendesk:1")
    assert redis.smembers(keys.team_members("Billing")) == {b"zendesk:2"}
