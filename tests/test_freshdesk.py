"""The Freshdesk connector against a local server that behaves like Freshdesk."""

from __future__ import annotations

import time

import pytest
from servers import LiveServer
from vendors import T0, FakeFreshdesk, iso

from connectors.errors import AuthError
from connectors.freshdesk import FreshdeskClient


def no_sleep(seconds: float) -> None:
    """Tests never wait."""


@pytest.fixture
def freshdesk():
    vendor = FakeFreshdesk(rate_headers={"X-RateLimit-Total": "400",
                                         "X-RateLimit-Remaining": "390"})
    vendor.add_agent(7, "Ana")
    with LiveServer(vendor) as server:
        vendor.url = f"{server.url}/freshdesk"
        yield vendor


def client_for(vendor, **options) -> FreshdeskClient:
    options.setdefault("sleep", no_sleep)
    return FreshdeskClient(vendor.url, "fdkey", **options)


def all_records(pages) -> list[dict]:
    return [r for page in pages for r in page.records]


def test_ticket_description_and_conversations_become_messages(freshdesk):
    """Description = first customer message; incoming = customer, private = note, else agent."""
    freshdesk.add_ticket(10, T0, responder=7, status=4)
    freshdesk.add_conversation(1, 10, T0 + 1, incoming=True)
    freshdesk.add_conversation(2, 10, T0 + 2, incoming=False)
    freshdesk.add_conversation(3, 10, T0 + 3, incoming=False, private=True)
    records = all_records(client_for(freshdesk).tickets({"updated_since": iso(T0)},
                                                        {"1": "Billing"}))
    ticket, *messages = records
    assert ticket == {"kind": "ticket", "source": "freshdesk", "id": "freshdesk:10",
                      "agent": "freshdesk:7", "team": "Billing", "status": "solved",
                      "open": False, "updated_at": iso(T0)}
    assert [(m["id"], m["from"]) for m in messages] == [
        ("freshdesk:d-10", "customer"), ("freshdesk:c-1", "customer"),
        ("freshdesk:c-2", "agent"), ("freshdesk:c-3", "note")]
    assert messages[1]["text"] == "Still waiting for an answer."


def test_tickets_follow_the_link_header_and_send_updated_since(freshdesk):
    for i in range(5):
        freshdesk.add_ticket(i + 1, T0 + i)
    pages = list(client_for(freshdesk, per_page=2).tickets({"updated_since": iso(T0)}, {}))
    assert [r["id"] for r in all_records(pages) if r["kind"] == "ticket"] == [
        f"freshdesk:{i + 1}" for i in range(5)]
    assert freshdesk.count("/tickets?") == 3
    first = freshdesk.requests[0]
    assert "updated_since=" in first and "order_by=updated_at" in first
    assert "order_type=asc" in first
    assert pages[-1].done and pages[-1].bookmark["updated_since"] == iso(T0 + 4)


def test_page_cap_rolls_over_by_moving_updated_since(freshdesk):
    """Past the cap the list restarts from the last updated_at: every ticket arrives, some twice."""
    for i in range(11):
        freshdesk.add_ticket(i + 1, T0 + i // 2)  # pairs share an updated_at
    freshdesk.page_cap = 2
    pages = list(client_for(freshdesk, per_page=2, page_cap=2).tickets(
        {"updated_since": iso(T0)}, {}))
    ids = [r["id"] for r in all_records(pages) if r["kind"] == "ticket"]
    assert set(ids) == {f"freshdesk:{i + 1}" for i in range(11)}
    assert len(ids) > 11  # duplicates across the rollover, expected and de-duplicated later
    positions = [p.bookmark["position"] for p in pages]
    assert positions == sorted(positions)  # the bookmark never goes backwards
    assert pages[-1].done and not any(p.done for p in pages[:-1])
    assert freshdesk.count("page=3") == 0  # never asks past the cap


def test_a_ticket_deleted_before_its_conversations_are_read_is_skipped(freshdesk):
    freshdesk.add_ticket(1, T0)
    freshdesk.add_ticket(2, T0 + 1)
    del freshdesk.conversations[1]
    records = all_records(client_for(freshdesk).tickets({"updated_since": iso(T0)}, {}))
    assert [r["id"] for r in records if r["kind"] == "ticket"] == ["freshdesk:1", "freshdesk:2"]


def test_agents_take_their_team_from_the_groups_agent_ids(freshdesk):
    client = client_for(freshdesk)
    groups = client.groups()
    assert groups == {"1": "Billing"}
    assert client.agents(groups) == [{"kind": "agent", "source": "freshdesk",
                                      "id": "freshdesk:7", "name": "Ana",
                                      "email": "7@example.com", "team": "Billing",
                                      "active": True}]


def test_retry_after_on_429_and_budget_headers_are_read(freshdesk):
    freshdesk.add_ticket(1, T0)
    freshdesk.fail("/tickets", 429, "Rate limit exceeded", Retry_After="2")
    waits = []
    client = client_for(freshdesk, sleep=waits.append)
    all_records(client.tickets({"updated_since": iso(T0)}, {}))
    assert 2.0 in waits
    assert client.http.budget.left() == 390


def test_wrong_api_key_is_an_auth_error(freshdesk):
    with pytest.raises(AuthError):
        FreshdeskClient(freshdesk.url, "nope", sleep=no_sleep).check()


def conversation_ids(pages) -> set[str]:
    return {r["id"] for r in all_records(pages) if r["id"].startswith("freshdesk:c-")}


def test_the_bookmark_seconds_tickets_are_not_read_again_once_that_second_is_settled(
        freshdesk):
    """Freshdesk lists the bookmark's second again on every poll; a ticket of that second whose
    conversations were read a minute after it is listed without reading them again, until it
    changes."""
    freshdesk.add_ticket(1, T0)
    freshdesk.add_ticket(2, T0 + 5)
    freshdesk.add_conversation(11, 2, T0 + 5)
    client = client_for(freshdesk)
    first = list(client.tickets({"updated_since": iso(T0)}, {}))
    assert conversation_ids(first) == {"freshdesk:c-11"}
    assert first[-1].bookmark["settled"] == ["2"]
    before = freshdesk.count("/conversations")
    again = list(client.tickets(first[-1].bookmark, {}))
    assert freshdesk.count("/conversations") == before  # one list request, nothing else
    assert [r["id"] for r in all_records(again) if r["kind"] == "ticket"] == ["freshdesk:2"]
    freshdesk.add_conversation(12, 2, T0 + 9)
    freshdesk.add_ticket(2, T0 + 9)  # a new conversation moves updated_at on
    later = list(client.tickets(again[-1].bookmark, {}))
    assert conversation_ids(later) == {"freshdesk:c-11", "freshdesk:c-12"}


def test_a_ticket_of_a_recent_second_is_read_again_so_a_change_in_that_second_is_seen(
        freshdesk):
    """A conversation added within the second the ticket was last updated leaves updated_at
    where it was: while that second is recent, every poll reads the conversations again."""
    now = int(time.time())
    freshdesk.add_ticket(3, now)
    client = client_for(freshdesk)
    first = list(client.tickets({"updated_since": iso(now - 60)}, {}))
    assert first[-1].bookmark["settled"] == []
    freshdesk.add_conversation(31, 3, now)  # same second: updated_at stays
    again = list(client.tickets(first[-1].bookmark, {}))
    assert conversation_ids(again) == {"freshdesk:c-31"}
