"""The Zendesk connector against a local server that behaves like Zendesk."""

from __future__ import annotations

import pytest
from servers import LiveServer
from vendors import T0, FakeZendesk

from connectors.errors import AuthError, MalformedResponse, RateLimited
from connectors.zendesk import ZendeskClient, clamp_start


class Sleeps(list):
    """Records requested sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def zendesk():
    vendor = FakeZendesk(rate_headers={"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "690"})
    vendor.add_agent(7, "Ana", group_id=1)
    vendor.add_agent(8, "Ben", group_id=2, role="admin")
    vendor.users.append({"id": 5000, "name": "Customer", "role": "end-user"})
    with LiveServer(vendor) as server:
        vendor.url = f"{server.url}/zendesk"
        yield vendor


def client_for(vendor, **options) -> ZendeskClient:
    options.setdefault("sleep", Sleeps())
    return ZendeskClient(vendor.url, "ops@example.com", "secret", **options)


def test_tickets_are_normalised_and_paged_until_end_of_stream(zendesk):
    """Stops on end_of_stream even though after_url is still set; records follow the contract."""
    zendesk.page_size = 2
    for i in range(5):
        zendesk.add_ticket(100 + i, T0 + i, assignee=7, group_id=2,
                           status=["new", "open", "pending", "hold", "solved"][i])
    pages = list(client_for(zendesk).tickets({"start_time": T0}, {"2": "Technical"}, now=T0 + 999))
    tickets = [r for p in pages for r in p.records]
    assert [t["id"] for t in tickets] == [f"zendesk:{100 + i}" for i in range(5)]
    assert [t["open"] for t in tickets] == [True, True, True, True, False]
    assert tickets[0] == {"kind": "ticket", "source": "zendesk", "id": "zendesk:100",
                          "agent": "zendesk:7", "team": "Technical", "status": "new",
                          "open": True, "updated_at": "2026-09-21T14:13:20Z"}
    assert len(pages) == 3 and pages[-1].done
    assert zendesk.count("tickets/cursor") == 3
    assert pages[-1].bookmark["position"] == T0 + 4 and pages[-1].bookmark["cursor"]


def test_resuming_from_a_cursor_bookmark_reads_only_newer_tickets(zendesk):
    zendesk.add_ticket(1, T0)
    first = list(client_for(zendesk).tickets({"start_time": T0}, {}, now=T0 + 999))
    zendesk.add_ticket(2, T0 + 5)
    again = list(client_for(zendesk).tickets(first[-1].bookmark, {}, now=T0 + 999))
    assert [r["id"] for p in again for r in p.records] == ["zendesk:2"]


def test_comment_events_tell_customer_agent_and_note_apart(zendesk):
    """Author role and `public` decide: end user -> customer, agent -> agent, private -> note."""
    zendesk.add_comment(1, 100, T0, author=5000)
    zendesk.add_comment(2, 100, T0 + 1, author=7)
    zendesk.add_comment(3, 100, T0 + 2, author=7, public=False)
    pages = list(client_for(zendesk).messages({"start_time": T0}, {"7", "8"}, now=T0 + 999))
    messages = [r for p in pages for r in p.records]
    assert [(m["id"], m["from"], m["public"]) for m in messages] == [
        ("zendesk:c-1", "customer", True), ("zendesk:c-2", "agent", True),
        ("zendesk:c-3", "note", False)]
    assert messages[0]["ticket"] == "zendesk:100" and messages[0]["author"] == "zendesk:5000"
    assert messages[0]["text"] == "Hello, my order is late."
    assert zendesk.count("include=comment_events") == 1
    assert pages[-1].bookmark["start_time"] == T0 + 2


def test_events_stream_follows_end_time_across_full_pages(zendesk):
    zendesk.page_size = 3
    for i in range(7):
        zendesk.add_comment(i + 1, 100, T0 + i)
    pages = list(client_for(zendesk).messages({"start_time": T0}, set(), now=T0 + 999))
    ids = {r["id"] for p in pages for r in p.records}
    assert ids == {f"zendesk:c-{i + 1}" for i in range(7)}
    assert pages[-1].done


def test_agents_stop_on_has_more_even_when_links_next_is_set(zendesk):
    zendesk.users_page = 1
    agents = client_for(zendesk).agents({"1": "Billing", "2": "Technical"})
    assert [(a["id"], a["team"]) for a in agents] == [("zendesk:7", "Billing"),
                                                       ("zendesk:8", "Technical")]
    assert zendesk.count("/users.json") == 2  # one per agent page, no extra call on links.next
    assert "role%5B%5D=agent" in zendesk.requests[0] and "role%5B%5D=admin" in zendesk.requests[0]


def test_groups_are_teams(zendesk):
    assert client_for(zendesk).groups() == {"1": "Billing", "2": "Technical"}


def test_a_429_with_a_plain_text_body_waits_retry_after_then_succeeds(zendesk):
    zendesk.add_ticket(1, T0)
    zendesk.fail("tickets/cursor", 429, "Too Many Requests", Retry_After="7")
    sleeps = Sleeps()
    pages = list(client_for(zendesk, sleep=sleeps).tickets({"start_time": T0}, {}, now=T0 + 999))
    assert [r["id"] for r in pages[0].records] == ["zendesk:1"]
    assert 7 in sleeps


def test_persistent_429_raises_rate_limited(zendesk):
    zendesk.fail("tickets/cursor", 429, "slow down", Retry_After="1", times=10)
    with pytest.raises(RateLimited):
        list(client_for(zendesk, max_retries=2).tickets({"start_time": T0}, {}, now=T0 + 999))


def test_server_errors_and_html_pages_are_retried_with_backoff(zendesk):
    zendesk.add_ticket(1, T0)
    zendesk.fail("tickets/cursor", 503, "<html>upstream down</html>", "text/html")
    zendesk.fail("tickets/cursor", 200, "<html><body>Maintenance</body></html>", "text/html")
    zendesk.fail("tickets/cursor", 200, '{"tickets": "not a list"}', "application/json")
    sleeps = Sleeps()
    pages = list(client_for(zendesk, sleep=sleeps).tickets({"start_time": T0}, {}, now=T0 + 999))
    assert [r["id"] for r in pages[0].records] == ["zendesk:1"]
    assert len(sleeps) == 3 and all(0 <= s <= 60 for s in sleeps)


def test_a_malformed_response_that_persists_names_the_request(zendesk):
    zendesk.fail("ticket_events", 200, "<html>login</html>", "text/html", times=10)
    with pytest.raises(MalformedResponse, match="ticket_events.json.*not JSON"):
        list(client_for(zendesk, max_retries=1).messages({"start_time": T0}, set(), T0 + 999))


def test_tickets_missing_fields_are_skipped_not_fatal(zendesk):
    zendesk.add_ticket(1, T0)
    zendesk.tickets.append({"id": 2, "generated_timestamp": T0 + 1, "updated_at": None})
    zendesk.tickets.append({"generated_timestamp": T0 + 2, "updated_at": "2026-01-01T00:00:00Z"})
    pages = list(client_for(zendesk).tickets({"start_time": T0}, {}, now=T0 + 999))
    assert [r["id"] for r in pages[0].records] == ["zendesk:1"]
    assert len(pages[0].skipped) == 2


def test_wrong_credentials_raise_auth_error_without_retrying(zendesk):
    client = ZendeskClient(zendesk.url, "ops@example.com", "wrong", sleep=Sleeps())
    with pytest.raises(AuthError, match="401"):
        client.groups()
    assert zendesk.count() == 1


def test_oauth_token_is_sent_as_bearer(zendesk):
    zendesk.auth = "Bearer oauth-abc"
    client = ZendeskClient(zendesk.url, oauth_token="oauth-abc", sleep=Sleeps())
    assert "Ops" in client.check()


@pytest.mark.parametrize("limit,remaining", [
    ("X-Rate-Limit", "X-Rate-Limit-Remaining"), ("ratelimit-limit", "ratelimit-remaining"),
    ("rate-limit", "rate-limit-remaining"), ("X-RateLimit-Total", "X-RateLimit-Remaining"),
    ("RATE-LIMIT", "Rate-Limit-Remaining")])
def test_every_header_spelling_throttles_below_the_budget_share(zendesk, limit, remaining):
    """With 100 left of 700 and a 50% share, the client pauses before its next request."""
    zendesk.rate_headers = {limit: "700", remaining: "100", "ratelimit-reset": "3"}
    zendesk.add_ticket(1, T0)
    sleeps = Sleeps()
    client = client_for(zendesk, sleep=sleeps, budget_share=0.5)
    client.groups()
    assert sleeps == []
    list(client.tickets({"start_time": T0}, {}, now=T0 + 999))
    assert sleeps == [3.0]
    assert client.http.budget.left() == 100


def test_plenty_of_budget_means_no_pause(zendesk):
    zendesk.rate_headers = {"x-rate-limit": "700", "x-rate-limit-remaining": "600"}
    sleeps = Sleeps()
    client = client_for(zendesk, sleep=sleeps)
    client.groups()
    client.groups()
    assert sleeps == []


def test_start_time_is_clamped_away_from_now():
    assert clamp_start(T0 + 100, now=T0 + 60) == T0 + 60 - 120
    assert clamp_start("junk", now=T0) == 0
    assert clamp_start(T0 - 500, now=T0) == T0 - 500


WEIRD = [None, True, {"id": 1}, [1], "", " ", -3, 1.5, "x" * 100]


def test_items_with_wrong_types_are_skipped_and_every_record_keeps_the_contract(zendesk):
    """Malformed items never crash a page nor produce a record outside the contract."""
    zendesk.add_ticket(1, T0)
    for i, weird in enumerate(WEIRD):
        zendesk.tickets.append({"id": weird, "generated_timestamp": T0 + 1 + i,
                                "updated_at": "2026-09-21T14:13:20Z", "assignee_id": weird})
        zendesk.tickets.append({"id": 50 + i, "generated_timestamp": T0 + 1 + i,
                                "updated_at": weird, "assignee_id": weird, "group_id": weird})
        zendesk.events.append({"id": 900 + i, "ticket_id": weird, "timestamp": T0 + i,
                               "child_events": [{"id": 1, "event_type": "Comment"}]})
        zendesk.events.append({"id": 950 + i, "ticket_id": 1, "timestamp": T0 + i,
                               "child_events": weird})
        zendesk.events.append({"id": 990 + i, "ticket_id": 1, "timestamp": T0 + i,
                               "created_at": weird, "child_events": [
                                   {"id": weird, "event_type": "Comment", "body": weird},
                                   {"id": 70 + i, "event_type": "Comment", "body": weird,
                                    "author_id": weird, "public": weird}]})
    client = client_for(zendesk)
    found = [r for p in client.tickets({"start_time": T0}, {}, now=T0 + 999) for r in p.records]
    found += [r for p in client.messages({"start_time": T0}, {"7"}, now=T0 + 999)
              for r in p.records]
    assert "zendesk:1" in {r["id"] for r in found}
    for record in found:
        assert isinstance(record["id"], str) and record["id"].startswith("zendesk:")
        if record["kind"] == "ticket":
            assert record["updated_at"].endswith("Z")
            assert record["agent"] is None or record["agent"].startswith("zendesk:")
        else:
            assert record["at"].endswith("Z") and isinstance(record["text"], str)
            assert record["from"] in ("customer", "agent", "note")


def test_the_next_poll_does_not_pass_on_the_last_second_again(zendesk):
    """Zendesk sends the events of the start second again; the bookmark remembers them."""
    zendesk.add_comment(1, 100, T0, author=5000)
    zendesk.add_comment(2, 100, T0 + 5, author=5000)
    client = client_for(zendesk)
    first = list(client.messages({"start_time": T0}, set(), now=T0 + 999))
    assert [r["id"] for p in first for r in p.records] == ["zendesk:c-1", "zendesk:c-2"]
    bookmark = first[-1].bookmark
    assert bookmark["start_time"] == T0 + 5
    again = list(client.messages(bookmark, set(), now=T0 + 999))
    assert [r for p in again for r in p.records] == []
    zendesk.add_comment(3, 100, T0 + 5, author=5000)  # a new event in that same second
    later = list(client.messages(again[-1].bookmark, set(), now=T0 + 999))
    assert [r["id"] for p in later for r in p.records] == ["zendesk:c-3"]


def test_a_bookmark_with_a_broken_seen_list_reads_the_second_again(zendesk):
    zendesk.add_comment(1, 100, T0, author=5000)
    for broken in ("nonsense", [None, {"id": 1}], None):
        pages = list(client_for(zendesk).messages({"start_time": T0, "seen_at_start": broken},
                                                  set(), now=T0 + 999))
        assert [r["id"] for p in pages for r in p.records] == ["zendesk:c-1"]
