"""Bad input at the entry points the workers own gets a clear error and loses nothing: a corrupt
or foreign value under a Breather Redis key, webhook bodies of the wrong shape. (Environment
variables: tests/test_settings.py; CLI stdin: tests/test_anger_cli.py, tests/test_replay.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from faults import customer_comment_ids, recent_zendesk
from rq import Queue
from servers import LiveServer
from test_hooks import settings_for, signed

from service import create_app
from workers import bookmarks, keys, poll
from workers.process import apply_records
from workers.rq_workers import SimpleWorker

SINCE = datetime.fromtimestamp(0, UTC)


@pytest.fixture(autouse=True)
def _no_tone(monkeypatch):
    monkeypatch.setenv("BREATHER_DISABLE", "tone")


@pytest.fixture
def zendesk():
    vendor = recent_zendesk(tickets=4)
    with LiveServer(vendor) as server:
        vendor.url = server.url
        yield vendor


def poller(redis, vendor) -> poll.Poller:
    client = poll.ZendeskClient(vendor.url, "ops@example.com", "secret", sleep=lambda s: None)
    return poll.Poller(redis, Queue("breather", connection=redis), client)


def run_all(redis, vendor) -> list[dict]:
    p = poller(redis, vendor)
    return [p.run(stream) for stream in poll.STREAMS["zendesk"]]


def drain_and_count(redis) -> int:
    SimpleWorker([Queue("breather", connection=redis)], connection=redis).work(burst=True)
    return sum(int(v) for v in redis.hgetall(keys.MESSAGE_COUNTS).values())


@pytest.mark.parametrize("foreign", ["not json", "[1, 2]", "list"])
def test_a_foreign_bookmark_stops_its_stream_with_the_key_named_and_loses_nothing(
        redis, zendesk, foreign):
    run_all(redis, zendesk)
    drain_and_count(redis)
    key = keys.bookmark("zendesk", "messages")
    redis.delete(key)
    if foreign == "list":
        redis.rpush(key, "x")
    else:
        redis.set(key, foreign)
    result = poller(redis, zendesk).run("messages")
    assert result["status"] == "error"
    assert key in result["error"] and "delete it" in result["error"]
    assert Queue("breather", connection=redis).count == 0
    redis.delete(key)  # what the message says to do
    assert poller(redis, zendesk).run("messages")["status"] == "ok"
    assert drain_and_count(redis) == len(customer_comment_ids(zendesk))


def test_corrupt_cached_metadata_is_read_again_from_the_helpdesk(redis, zendesk):
    redis.set(keys.meta("zendesk"), b"\xff\xfe garbage")
    result = poller(redis, zendesk).run("tickets")
    assert result["status"] == "ok"
    assert json.loads(redis.get(keys.meta("zendesk")))["agent_ids"] == ["7"]


def test_a_foreign_counter_fails_the_process_job_before_any_write(redis, zendesk):
    """A string under breather:stats:messages: the page is refused as a whole (nothing marked
    seen), and once the key is moved aside the same page counts every message once."""
    p = poller(redis, zendesk)
    records = []
    for stream in poll.STREAMS["zendesk"]:
        for page in p._pages(p.client.streams[poll.STREAMS["zendesk"].index(stream)], SINCE,
                             None):
            records.extend(page.records)
    redis.set(keys.MESSAGE_COUNTS, "42")
    with pytest.raises(bookmarks.CorruptValue, match=keys.MESSAGE_COUNTS):
        apply_records(redis, records, score_tone=False)
    assert not redis.keys(keys.messages("*"))
    redis.rename(keys.MESSAGE_COUNTS, keys.MESSAGE_COUNTS + ".foreign")
    apply_records(redis, records, score_tone=False)
    assert sum(int(v) for v in redis.hgetall(keys.MESSAGE_COUNTS).values()) == \
        len(customer_comment_ids(zendesk))


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"{}", b'{"detail": []}',
                                  b"\xff\xfe\x00",
                                  b"{" * 10_000, b"x" * 2_000_000])
def test_a_webhook_body_of_the_wrong_shape_is_a_clear_4xx_and_enqueues_nothing(redis, body):
    app = create_app(settings_for(), redis)
    response = app.test_client().post("/hooks/zendesk", data=body, headers=signed(body))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert Queue("breather", connection=redis).count == 0
