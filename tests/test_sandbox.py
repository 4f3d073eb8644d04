"""The sandbox answers like Zendesk and Freshdesk, over a simulated org that never runs ahead."""

from __future__ import annotations

import base64
import time

import pytest
import requests
from servers import LiveServer

import sandbox
from sandbox.sim import Simulation, zendesk_org

ZD = {"Authorization": "Basic " + base64.b64encode(b"ops@example.com/token:x").decode()}
FD = {"Authorization": "Basic " + base64.b64encode(b"key:X").decode()}


@pytest.fixture(scope="module")
def url():
    with LiveServer(sandbox.create_app(speed=3600, seed=3, history_hours=6,
                                       backlog_hours=6)) as server:
        yield server.url


def test_auth_is_required(url):
    assert requests.get(f"{url}/zendesk/api/v2/groups.json", timeout=5).status_code == 401
    assert requests.get(f"{url}/freshdesk/api/v2/agents", timeout=5).status_code == 401


def test_ticket_export_pages_until_end_of_stream(url):
    params = {"start_time": int(time.time()) - 7 * 3600, "per_page": 50}
    seen, pages = [], 0
    page = requests.get(f"{url}/zendesk/api/v2/incremental/tickets/cursor.json", params=params,
                        headers=ZD, timeout=5).json()
    while True:
        pages += 1
        seen += [t["id"] for t in page["tickets"]]
        assert {"after_url", "after_cursor", "end_of_stream", "before_cursor"} <= set(page)
        if page["end_of_stream"]:
            break
        page = requests.get(page["after_url"], headers=ZD, timeout=5).json()
    assert pages > 1 and len(seen) == len(set(seen)) > 100
    ticket = requests.get(f"{url}/zendesk/api/v2/incremental/tickets/cursor.json",
                          params=params, headers=ZD, timeout=5).json()["tickets"][0]
    assert {"id", "status", "assignee_id", "group_id", "updated_at", "requester_id"} <= set(ticket)


def test_ticket_events_carry_comments_in_both_languages(url):
    body = requests.get(f"{url}/zendesk/api/v2/incremental/ticket_events.json",
                        params={"start_time": int(time.time()) - 7 * 3600,
                                "include": "comment_events"}, headers=ZD, timeout=5).json()
    assert body["next_page"] and "end_time" in body
    comments = [c for e in body["ticket_events"] for c in e["child_events"]
                if c["event_type"] == "Comment"]
    texts = " ".join(c["body"] for c in comments)
    assert "Hallo" in texts or "Guten Tag" in texts
    assert "Hi" in texts or "Hello" in texts
    assert any(not c["public"] for c in comments)  # internal notes too
    assert any("!!" in c["body"] for c in comments)  # hostile customers
    assert any("thank" in c["body"].lower() for c in comments)


def test_too_recent_start_time_is_refused(url):
    response = requests.get(f"{url}/zendesk/api/v2/incremental/tickets/cursor.json",
                            params={"start_time": int(time.time())}, headers=ZD, timeout=5)
    assert response.status_code == 400 and response.json()["error"] == "StartTimeTooRecent"


def test_users_cursor_pagination(url):
    first = requests.get(f"{url}/zendesk/api/v2/users.json",
                         params={"role[]": ["agent", "admin"], "page[size]": 5},
                         headers=ZD, timeout=5).json()
    assert first["meta"]["has_more"] and len(first["users"]) == 5
    assert {u["role"] for u in first["users"]} <= {"agent", "admin"}


def test_freshdesk_tickets_follow_link_header(url):
    response = requests.get(f"{url}/freshdesk/api/v2/tickets",
                            params={"updated_since": "2020-01-01T00:00:00Z", "per_page": 20,
                                    "order_by": "updated_at", "order_type": "asc"},
                            headers=FD, timeout=5)
    tickets = response.json()
    assert len(tickets) == 20 and 'rel="next"' in response.headers["Link"]
    updated = [t["updated_at"] for t in tickets]
    assert updated == sorted(updated)
    conversations = requests.get(f"{url}/freshdesk/api/v2/tickets/{tickets[0]['id']}/"
                                 "conversations", headers=FD, timeout=5).json()
    assert all({"incoming", "private", "body_text"} <= set(c) for c in conversations)
    assert "X-RateLimit-Remaining" in response.headers


def test_clock_never_runs_ahead_of_the_wall():
    sim = Simulation(zendesk_org(), seed=1, speed=3600, history_hours=1, backlog_hours=0)
    time.sleep(1.2)
    assert sim.now() <= time.time()
    assert sim.now() > sim.start + 3600 - 5  # caught up within a second at 3600x


def test_same_seed_same_history():
    started = time.time()
    one = Simulation(zendesk_org(), 9, 60, 2, backlog_hours=2, started=started)
    two = Simulation(zendesk_org(), 9, 60, 2, backlog_hours=2, started=started)
    one.advance(), two.advance()
    assert [(t.id, t.assignee_id, t.status) for t in one.visible_tickets(time.time())] == \
        [(t.id, t.assignee_id, t.status) for t in two.visible_tickets(time.time())]
