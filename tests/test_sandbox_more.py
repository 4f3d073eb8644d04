"""The sandbox's second line: paging to the end, rate limits, variety of texts, the CLI."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
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
    with LiveServer(sandbox.create_app(speed=3600, seed=5, history_hours=4,
                                       backlog_hours=4, page_cap=3)) as server:
        yield server.url


def test_freshdesk_link_header_stops_at_the_page_cap(url):
    next_url, pages, ids = f"{url}/freshdesk/api/v2/tickets", 0, []
    params = {"updated_since": "2020-01-01T00:00:00Z", "per_page": 10,
              "order_by": "updated_at", "order_type": "asc"}
    while next_url:
        response = requests.get(next_url, params=params if pages == 0 else None, headers=FD,
                                timeout=5)
        assert response.status_code == 200
        ids += [t["id"] for t in response.json()]
        pages += 1
        match = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        next_url = match.group(1) if match else None
    assert pages == 3 and len(ids) == len(set(ids)) == 30
    beyond = requests.get(f"{url}/freshdesk/api/v2/tickets", params={**params, "page": 4},
                          headers=FD, timeout=5)
    assert beyond.status_code == 400 and beyond.json()["errors"][0]["field"] == "page"


def test_ticket_events_page_forward_to_end_of_stream(url):
    start, seen = int(time.time()) - 5 * 3600, set()
    for _ in range(50):
        body = requests.get(f"{url}/zendesk/api/v2/incremental/ticket_events.json",
                            params={"start_time": start, "include": "comment_events",
                                    "per_page": 200}, headers=ZD, timeout=5).json()
        assert {"ticket_events", "next_page", "count", "end_time", "end_of_stream"} <= set(body)
        seen |= {e["id"] for e in body["ticket_events"]}
        if body["end_of_stream"]:
            break
        start = body["end_time"]
    assert body["end_of_stream"] and body["next_page"] and len(seen) > 200
    event = body["ticket_events"][0]
    assert event["event_type"] == "Audit" and isinstance(event["timestamp"], int)


def test_comment_events_have_the_recorded_shape(url):
    body = requests.get(f"{url}/zendesk/api/v2/incremental/ticket_events.json",
                        params={"start_time": int(time.time()) - 5 * 3600,
                                "include": "comment_events"}, headers=ZD, timeout=5).json()
    children = [c for e in body["ticket_events"] for c in e["child_events"]]
    comments = [c for c in children if c["event_type"] == "Comment"]
    keys = {"id", "type", "author_id", "body", "html_body", "plain_body", "public", "audit_id",
            "created_at", "via", "attachments"}
    assert comments and all(keys <= set(c) for c in comments)
    assert all("<support@" not in c["html_body"] for c in comments)  # text is escaped in HTML
    created = {c["field_name"] for c in children if c["event_type"] == "Create"}
    assert {"assignee_id", "group_id", "status"} <= created


def test_me_and_status_page(url):
    me = requests.get(f"{url}/zendesk/api/v2/users/me.json", headers=ZD, timeout=5).json()
    assert me["user"]["role"] == "admin"
    agent = requests.get(f"{url}/freshdesk/api/v2/agents/me", headers=FD, timeout=5).json()
    assert set(agent["contact"]) >= {"name", "email", "active", "time_zone"}
    status = requests.get(f"{url}/", timeout=5).json()
    assert status["zendesk"]["tickets"] > 0 and status["freshdesk"]["messages"] > 0


def test_rate_limit_answers_429_with_retry_after():
    with LiveServer(sandbox.create_app(rate_limit=3, history_hours=0.5)) as server:
        answers = [requests.get(f"{server.url}/zendesk/api/v2/groups.json", headers=ZD,
                                timeout=5) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[0].headers["X-Rate-Limit"] == "3"
    assert answers[3].status_code == 429 and int(answers[3].headers["Retry-After"]) >= 0


def test_hundreds_of_distinct_customer_texts():
    sim = Simulation(zendesk_org(), seed=2, speed=60, history_hours=8, backlog_hours=8)
    sim.advance()
    bodies = [c.body for t in sim.tickets.values() for c in t.comments if c.from_customer]
    shapes = {re.sub(r"\d+", "N", b) for b in bodies}
    assert len(shapes) > 300
    joined = "\n".join(bodies)
    for cue in ("Anwalt", "kündig", "lawyer", "!!!", "> ", "schrieb", "wrote:", "<p>"):
        assert cue in joined, cue


def test_different_seeds_differ():
    started = time.time()
    one = Simulation(zendesk_org(), 1, 60, 2, backlog_hours=2, started=started)
    two = Simulation(zendesk_org(), 2, 60, 2, backlog_hours=2, started=started)
    one.advance(), two.advance()
    assert [t.subject for t in one.tickets.values()] != [t.subject for t in two.tickets.values()]


def test_cli_prints_urls_and_stops_cleanly_on_ctrl_c():
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "sandbox", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        first = process.stdout.readline()
        assert "ZENDESK_URL=http://127.0.0.1:" in first
        assert "FRESHDESK_URL=" in process.stdout.readline()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0 and "Traceback" not in err


def test_some_tickets_arrive_unassigned_and_are_picked_up_later():
    sim = Simulation(zendesk_org(), seed=4, speed=60, history_hours=3, backlog_hours=3)
    sim.advance()
    assigned_later = {a.ticket_id: a for a in sim.audits if "assignee_id" in a.changes}
    assert assigned_later
    for audit in sim.audits:
        if audit.ticket_id in assigned_later and audit.created:
            assert audit.created["assignee_id"] is None and audit.created["status"] == "new"
            assert audit.at <= assigned_later[audit.ticket_id].at


def test_every_ticket_history_runs_forward():
    sim = Simulation(zendesk_org(), seed=6, speed=60, history_hours=4, backlog_hours=4)
    sim.advance()
    for ticket in sim.tickets.values():
        times = [a.at for a in sim.audits if a.ticket_id == ticket.id]
        assert times == sorted(times) and times[0] == ticket.created, ticket.id


def test_users_next_link_keeps_the_role_filter(url):
    page = requests.get(f"{url}/zendesk/api/v2/users.json",
                        params={"role[]": ["agent", "admin"], "page[size]": 4},
                        headers=ZD, timeout=5).json()
    users = list(page["users"])
    while page["meta"]["has_more"]:
        page = requests.get(page["links"]["next"], headers=ZD, timeout=5).json()
        users += page["users"]
    assert len(users) == 13 and {u["role"] for u in users} == {"agent", "admin"}
    bad = requests.get(f"{url}/zendesk/api/v2/users.json", params={"page[after]": "zzz"},
                       headers=ZD, timeout=5)
    assert bad.status_code == 400
