"""Webhooks: signatures checked, stale or forged requests refused, pushed + polled count once."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from rq import Queue
from rq.job import Job
from servers import LiveServer
from vendors import T0, FakeFreshdesk, FakeZendesk

from connectors.webhooks import zendesk_signature
from service import create_app
from workers import bookmarks, poll
from workers.rq_workers import SimpleWorker
from workers.settings import FreshdeskConfig, Settings, ZendeskConfig

SECRET = "whsec-test"


@pytest.fixture(autouse=True)
def _no_tone(monkeypatch):
    monkeypatch.setenv("BREATHER_DISABLE", "tone")


def settings_for(zendesk_url="http://127.0.0.1:9", freshdesk_url="http://127.0.0.1:9"):
    return Settings(auth=False, zendesk=ZendeskConfig(zendesk_url, "ops@example.com", "secret",
                                                      webhook_secret=SECRET),
                    freshdesk=FreshdeskConfig(freshdesk_url, "fdkey", webhook_secret="fd-shared"))


def comment_payload(comment_id=1001, author=5000, public=True) -> bytes:
    return json.dumps({
        "type": "zen:event-type:ticket.comment_added", "time": "2026-09-21T14:13:30Z",
        "detail": {"id": "100", "status": "open", "assignee_id": "7", "group_id": "1",
                   "updated_at": "2026-09-21T14:13:30Z"},
        "event": {"comment": {"id": str(comment_id), "body": "This is the third time I ask!",
                              "is_public": public, "author": {"id": str(author),
                                                              "is_staff": False}}}}).encode()


def signed(body: bytes, timestamp: str | None = None, secret: str = SECRET) -> dict:
    timestamp = timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"X-Zendesk-Webhook-Signature": zendesk_signature(secret, timestamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
            "Content-Type": "application/json"}


def queued(redis) -> int:
    return Queue("breather", connection=redis).count


def drain(redis) -> None:
    SimpleWorker([Queue("breather", connection=redis)], connection=redis).work(burst=True)


def test_a_signed_zendesk_webhook_enqueues_its_records(redis):
    client = create_app(settings_for(), redis).test_client()
    body = comment_payload()
    response = client.post("/hooks/zendesk", data=body, headers=signed(body))
    assert response.status_code == 202 and response.get_json() == {"accepted": 2}
    job = Queue("breather", connection=redis).jobs[0]
    ticket, message = job.args[0]
    assert ticket["id"] == "zendesk:100" and ticket["agent"] == "zendesk:7"
    assert message["id"] == "zendesk:c-1001" and message["from"] == "customer"


@pytest.mark.parametrize("tamper", ["body", "secret", "stale", "future", "missing"])
def test_forged_or_stale_zendesk_webhooks_get_401_and_enqueue_nothing(redis, tamper):
    client = create_app(settings_for(), redis).test_client()
    body = comment_payload()
    headers = signed(body)
    if tamper == "body":
        body = body.replace(b"third", b"fourth")
    elif tamper == "secret":
        headers = signed(body, secret="guess")
    elif tamper in ("stale", "future"):
        shift = -301 if tamper == "stale" else 301
        old = datetime.fromtimestamp(time.time() + shift, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = signed(body, timestamp=old)
    else:
        headers = {"Content-Type": "application/json"}
    response = client.post("/hooks/zendesk", data=body, headers=headers)
    assert response.status_code == 401
    assert queued(redis) == 0
    assert redis.hget("breather:stats:errors", "zendesk|webhook|refused") == b"1"


def test_a_signed_body_that_is_not_json_is_a_clear_400(redis):
    client = create_app(settings_for(), redis).test_client()
    body = b"<html>not json</html>"
    response = client.post("/hooks/zendesk", data=body, headers=signed(body))
    assert response.status_code == 400 and "not JSON" in response.get_json()["error"]
    assert queued(redis) == 0


def test_webhooks_without_a_configured_secret_are_not_accepted(redis):
    settings = Settings(auth=False, zendesk=ZendeskConfig("http://z", "a", "b"))
    client = create_app(settings, redis).test_client()
    body = comment_payload()
    assert client.post("/hooks/zendesk", data=body, headers=signed(body)).status_code == 404
    assert queued(redis) == 0


def test_webhooks_can_be_switched_off(redis):
    from dataclasses import replace

    client = create_app(replace(settings_for(), disabled=frozenset({"webhooks"})),
                        redis).test_client()
    body = comment_payload()
    assert client.post("/hooks/zendesk", data=body, headers=signed(body)).status_code == 404


def test_a_finished_process_job_keeps_ids_and_no_text(redis):
    """RQ keeps a finished job for a while: the text it scored is not in it, the ids are."""
    client = create_app(settings_for(), redis).test_client()
    body = comment_payload()
    assert client.post("/hooks/zendesk", data=body, headers=signed(body)).status_code == 202
    job_id = Queue("breather", connection=redis).job_ids[0]
    drain(redis)
    job = Job.fetch(job_id, connection=redis)
    assert job.get_status() == "finished"
    assert [r["id"] for r in job.args[0]] == ["zendesk:100", "zendesk:c-1001"]
    assert all("text" not in r for r in job.args[0])
    assert sum(int(v) for v in redis.hgetall("breather:stats:messages").values()) == 1


def test_a_message_pushed_and_polled_counts_once(redis):
    vendor = FakeZendesk()
    vendor.add_agent(7, "Ana")
    vendor.add_ticket(100, T0, assignee=7)
    vendor.add_comment(1001, 100, T0 + 10, author=5000)
    with LiveServer(vendor) as server:
        settings = settings_for(zendesk_url=server.url)
        client = create_app(settings, redis).test_client()
        body = comment_payload()
        assert client.post("/hooks/zendesk", data=body, headers=signed(body)).status_code == 202
        drain(redis)
        pushed = sum(int(v) for v in redis.hgetall("breather:stats:messages").values())
        poll.sync_once(settings, redis, since=datetime.fromtimestamp(T0 - 60, UTC),
                       client_options={"sleep": lambda s: None})
        drain(redis)
    assert pushed == 1
    assert sum(int(v) for v in redis.hgetall("breather:stats:messages").values()) == 1


def test_freshdesk_webhook_with_the_shared_secret_refreshes_that_ticket(redis, redis_url,
                                                                        monkeypatch):
    vendor = FakeFreshdesk()
    vendor.add_agent(7, "Ana")
    vendor.add_ticket(42, T0, responder=7)
    vendor.add_conversation(9, 42, T0 + 5)
    with LiveServer(vendor) as server:
        monkeypatch.setenv("FRESHDESK_URL", server.url)
        monkeypatch.setenv("FRESHDESK_API_KEY", "fdkey")
        monkeypatch.setenv("REDIS_URL", redis_url)
        client = create_app(settings_for(freshdesk_url=server.url), redis).test_client()
        bad = client.post("/hooks/freshdesk", json={"ticket_id": 42},
                          headers={"X-Breather-Webhook-Secret": "nope"})
        assert bad.status_code == 401 and queued(redis) == 0
        good = client.post("/hooks/freshdesk", json={"freshdesk_webhook": {"ticket_id": "42"}},
                           headers={"X-Breather-Webhook-Secret": "fd-shared"})
        assert good.status_code == 202 and good.get_json()["ticket"] == 42
        bookmarks.set_meta(redis, "freshdesk", {"1": "Billing"}, ["7"])
        drain(redis)
    assert redis.hget("breather:ticket:freshdesk:42", "agent") == b"freshdesk:7"
    assert redis.hexists("breather:msgs:freshdesk:42", "freshdesk:c-9")
    assert redis.hexists("breather:msgs:freshdesk:42", "freshdesk:d-42")


def test_the_trigger_template_shape_is_read_with_string_placeholders(redis):
    """Breather's documented trigger body: every placeholder renders as a string."""
    client = create_app(settings_for(), redis).test_client()
    body = json.dumps({
        "ticket": {"id": "81", "status": "Pending", "assignee_id": "", "group_name": "Billing",
                   "updated_at": "2026-11-02T09:10:00Z"},
        "comment": {"id": "991", "author_id": "7", "author_role": "Agent", "public": "false",
                    "body": "internal", "created_at": "2026-11-02T09:14:00Z"}}).encode()
    response = client.post("/hooks/zendesk", data=body, headers=signed(body))
    assert response.status_code == 202
    ticket, note = Queue("breather", connection=redis).jobs[0].args[0]
    assert ticket == {"kind": "ticket", "source": "zendesk", "id": "zendesk:81", "agent": None,
                      "team": "Billing", "status": "pending", "open": True,
                      "updated_at": "2026-11-02T09:10:00Z"}
    assert note["id"] == "zendesk:c-991" and note["from"] == "note" and not note["public"]
    assert note["author"] == "zendesk:7" and note["at"] == "2026-11-02T09:14:00Z"


def test_a_webhook_without_a_ticket_id_is_refused_as_malformed(redis):
    client = create_app(settings_for(), redis).test_client()
    body = json.dumps({"ticket": {"status": "open"}}).encode()
    response = client.post("/hooks/zendesk", data=body, headers=signed(body))
    assert response.status_code == 400 and "ticket id" in response.get_json()["error"]
    assert queued(redis) == 0
