"""The poll job: bookmarks and enqueues in one transaction, one poller per stream, no loss, no
double count, across crashes, races, auth failures and malformed pages."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from rq import Queue
from servers import LiveServer
from vendors import T0, FakeFreshdesk, FakeZendesk

from workers import bookmarks, keys, poll
from workers.rq_workers import SimpleWorker
from workers.settings import FreshdeskConfig, Settings, ZendeskConfig

NOW = T0 + 3600


@pytest.fixture(autouse=True)
def _no_tone(monkeypatch):
    """Process jobs count messages without the tone model (its own tests cover it)."""
    monkeypatch.setenv("BREATHER_DISABLE", "tone")


@pytest.fixture
def zendesk():
    vendor = FakeZendesk(page_size=3)
    vendor.add_agent(7, "Ana", group_id=1)
    for t in range(4):
        vendor.add_ticket(100 + t, T0 + t, assignee=7)
        for c in range(3):  # two customer messages and one agent reply per ticket
            vendor.add_comment(1000 + 10 * t + c, 100 + t, T0 + 10 * t + c,
                               author=7 if c == 2 else 5000)
    with LiveServer(vendor) as server:
        vendor.url = f"{server.url}/zendesk"
        yield vendor


def poller(redis, vendor, queue=None, **options) -> poll.Poller:
    options.setdefault("sleep", lambda s: None)
    client = poll.ZendeskClient(vendor.url, "ops@example.com", "secret", **options)
    return poll.Poller(redis, queue or Queue("breather", connection=redis), client)


def run_all(p: poll.Poller) -> list[dict]:
    start = datetime.fromtimestamp(T0 - 60, UTC)
    return [p.run(stream, since=start, now=NOW) for stream in poll.STREAMS["zendesk"]]


def drain(redis) -> None:
    queue = Queue("breather", connection=redis)
    SimpleWorker([queue], connection=redis).work(burst=True)
    assert queue.failed_job_registry.count == 0


def counted(redis) -> int:
    """Customer messages counted by the process job."""
    return sum(int(v) for v in redis.hgetall("breather:stats:messages").values())


def test_poll_enqueues_pages_and_process_counts_each_customer_message_once(redis, zendesk):
    results = run_all(poller(redis, zendesk))
    assert [r["status"] for r in results] == ["ok", "ok", "ok"]
    assert results[1]["records"] == 4 and results[2]["records"] == 12
    drain(redis)
    assert counted(redis) == 8
    bookmark = bookmarks.get_bookmark(redis, "zendesk", "messages")
    assert bookmark["start_time"] == T0 + 32
    again = poller(redis, zendesk).run("messages", now=NOW)  # from the bookmark
    drain(redis)
    assert again["status"] == "ok" and counted(redis) == 8


class CrashingQueue(Queue):
    """Dies (like a killed process) on the Nth enqueue, before the MULTI is executed."""

    def __init__(self, *args, crash_on: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls, self.crash_on = 0, crash_on

    def enqueue(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.crash_on:
            raise KeyboardInterrupt("simulated crash between fetch and enqueue")
        return super().enqueue(*args, **kwargs)


@pytest.mark.parametrize("crash_on", [1, 2, 3])
def test_a_crash_between_fetch_and_enqueue_loses_nothing_and_counts_nothing_twice(
        redis, zendesk, crash_on):
    agents = poller(redis, zendesk).run("agents", now=NOW)
    tickets = poller(redis, zendesk).run("tickets", now=NOW,
                                         since=datetime.fromtimestamp(T0 - 60, UTC))
    assert agents["status"] == tickets["status"] == "ok"
    crashing = CrashingQueue("breather", connection=redis, crash_on=crash_on)
    since = datetime.fromtimestamp(T0 - 60, UTC)
    with pytest.raises(KeyboardInterrupt):
        poller(redis, zendesk, queue=crashing).run("messages", since=since, now=NOW)
    drain(redis)  # whatever committed before the crash is processed
    committed = bookmarks.get_bookmark(redis, "zendesk", "messages")
    assert redis.get(keys.poll_lock("zendesk", "messages")) is None  # released on the way out
    poller(redis, zendesk).run("messages", now=NOW)  # restart: from the committed bookmark
    drain(redis)
    assert counted(redis) == 8
    if crash_on == 1:
        assert committed is None


def test_two_pollers_racing_on_one_stream_count_every_message_once(redis, zendesk):
    since = datetime.fromtimestamp(T0 - 60, UTC)
    poller(redis, zendesk).run("agents", now=NOW)
    poller(redis, zendesk).run("tickets", since=since, now=NOW)
    results: list[dict] = []
    barrier = threading.Barrier(4)

    def race():
        barrier.wait()
        results.append(poller(redis, zendesk).run("messages", since=since, now=NOW))

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(r["status"] for r in results)
    assert statuses.count("ok") >= 1 and set(statuses) <= {"ok", "locked"}
    drain(redis)
    assert counted(redis) == 8


def test_a_lock_lost_mid_run_commits_nothing_more(redis, zendesk):
    """If the lock expires and another poller takes over, the old one stops before committing."""
    p = poller(redis, zendesk)
    p.run("agents", now=NOW)
    assert p._acquire("messages")
    redis.set(keys.poll_lock("zendesk", "messages"), "someone-else")
    from connectors.records import Page

    with pytest.raises(poll.LockLost):
        p._commit("messages", Page([{"kind": "agent", "id": "zendesk:1"}], {"position": 1}, True))
    assert bookmarks.get_bookmark(redis, "zendesk", "messages") is None
    assert Queue("breather", connection=redis).count == 1  # only the agents page


def test_bookmarks_never_move_backwards(redis, zendesk):
    run_all(poller(redis, zendesk))
    ahead = bookmarks.get_bookmark(redis, "zendesk", "messages")
    older = datetime.fromtimestamp(T0 - 86400, UTC)
    poller(redis, zendesk).run("messages", since=older, now=NOW)  # a backfill from further back
    assert bookmarks.get_bookmark(redis, "zendesk", "messages") == ahead


def test_401_stops_the_stream_with_one_error_count_and_no_crash_loop(redis, zendesk):
    zendesk.auth = "Basic something-else"
    first = poller(redis, zendesk).run("tickets", now=NOW)
    assert first["status"] == "error" and "401" in first["error"]
    assert redis.hget("breather:stats:errors", "zendesk|tickets|auth") == b"1"
    requests = zendesk.count()
    second = poller(redis, zendesk).run("tickets", now=NOW)
    assert second["status"] == "stopped" and zendesk.count() == requests  # no new request
    assert redis.hget("breather:stats:errors", "zendesk|tickets|auth") == b"1"
    assert Queue("breather", connection=redis).count == 0


def test_a_page_that_stays_malformed_fails_the_stream_and_enqueues_nothing(redis, zendesk):
    p = poller(redis, zendesk, max_retries=1)
    p.run("agents", now=NOW)
    zendesk.fail("ticket_events", 200, "<html>Service Unavailable</html>", "text/html", times=5)
    result = p.run("messages", now=NOW)
    assert result["status"] == "error" and "not JSON" in result["error"]
    assert redis.hget("breather:stats:errors", "zendesk|messages|malformed") == b"1"
    assert Queue("breather", connection=redis).count == 1  # the agents page only
    assert redis.get(keys.poll_lock("zendesk", "messages")) is None


def test_sync_once_polls_every_source_and_reports_progress(redis, zendesk):
    freshdesk = FakeFreshdesk()
    freshdesk.add_agent(7, "Ana")
    freshdesk.add_ticket(1, T0)
    freshdesk.add_conversation(5, 1, T0 + 1)
    with LiveServer(freshdesk) as server:
        settings = Settings(zendesk=ZendeskConfig(zendesk.url, "ops@example.com", "secret"),
                            freshdesk=FreshdeskConfig(server.url, "fdkey"))
        seen: list[dict] = []
        since = datetime.fromtimestamp(T0 - 60, UTC)
        summary = poll.sync_once(settings, redis, since=since, progress=seen.append,
                                 client_options={"sleep": lambda s: None})
    assert summary["errors"] == []
    assert summary["sources"] == 2 and summary["streams"] == 5
    assert summary["records"] == 1 + 4 + 12 + 1 + 3
    assert all(isinstance(v, int) for k, v in summary.items() if k != "errors")
    assert seen and {"records", "pages", "rate budget left"} <= set(seen[-1])
    drain(redis)
    assert counted(redis) == 8 + 2


def test_sync_once_names_the_stream_that_failed(redis, zendesk):
    zendesk.auth = "Bearer nope"
    settings = Settings(zendesk=ZendeskConfig(zendesk.url, "ops@example.com", "secret"))
    summary = poll.sync_once(settings, redis, client_options={"sleep": lambda s: None})
    assert summary["errors"] and summary["errors"][0].startswith("zendesk/agents")


def test_poll_stream_runs_as_an_rq_job_reading_settings_from_the_environment(
        redis, redis_url, zendesk, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("ZENDESK_URL", zendesk.url)
    monkeypatch.setenv("ZENDESK_EMAIL", "ops@example.com")
    monkeypatch.setenv("ZENDESK_TOKEN", "secret")
    queue = Queue("breather", connection=redis)
    job = queue.enqueue(poll.poll_stream, "zendesk", "agents")
    SimpleWorker([queue], connection=redis).work(burst=True)
    assert job.return_value()["status"] == "ok"
    assert redis.hget("breather:agent:zendesk:7", "team") == b"Billing"
    assert json.loads(redis.get(keys.meta("zendesk")))["agent_ids"] == ["7"]


def test_register_cron_adds_one_job_per_stream(redis):
    from rq.cron import CronScheduler

    settings = Settings(zendesk=ZendeskConfig("http://z", "a", "b"),
                        freshdesk=FreshdeskConfig("http://f", "k"), poll_seconds=45)
    cron = CronScheduler(connection=redis)
    jobs = poll.register_cron(cron, settings)
    assert len(jobs) == 5 == len(cron.get_jobs())
    assert {tuple(j.args) for j in cron.get_jobs()} == {
        ("zendesk", "agents"), ("zendesk", "tickets"), ("zendesk", "messages"),
        ("freshdesk", "agents"), ("freshdesk", "tickets")}
    assert all(j.interval == 45 for j in cron.get_jobs())


def test_freshdesk_rollover_duplicates_count_once_end_to_end(redis):
    """Across the page-cap rollover tickets arrive twice; every customer message counts once."""
    vendor = FakeFreshdesk(page_cap=2)
    vendor.add_agent(7, "Ana")
    for i in range(9):
        vendor.add_ticket(i + 1, T0 + i // 2, responder=7)  # pairs share an updated_at
        vendor.add_conversation(100 + i, i + 1, T0 + 30 + i, incoming=True)
    with LiveServer(vendor) as server:
        client = poll.FreshdeskClient(server.url, "fdkey", per_page=2, page_cap=2,
                                      sleep=lambda s: None)
        p = poll.Poller(redis, Queue("breather", connection=redis), client)
        p.run("agents", now=NOW)
        result = p.run("tickets", since=datetime.fromtimestamp(T0 - 60, UTC), now=NOW)
    assert result["status"] == "ok" and result["records"] > 3 * 9  # duplicates on purpose
    drain(redis)
    assert counted(redis) == 2 * 9  # description + one conversation per ticket, once each
    assert bookmarks.get_bookmark(redis, "freshdesk", "tickets")["updated_since"] == \
        "2026-09-21T14:13:24Z"


def test_sync_once_waits_for_a_running_poll_of_the_same_stream(redis, zendesk):
    """A cron poll holding the lock finishes (here: its lock expires) and sync then proceeds."""
    redis.set(keys.poll_lock("zendesk", "agents"), "cron-poller", px=700)
    settings = Settings(zendesk=ZendeskConfig(zendesk.url, "ops@example.com", "secret"))
    summary = poll.sync_once(settings, redis, client_options={"sleep": lambda s: None})
    assert summary["errors"] == [] and summary["streams"] == 3


def test_a_stream_polled_before_agents_reads_agents_and_groups_itself(redis, zendesk):
    """Tickets name their team even when the agents stream has not run (or its cache expired)."""
    result = poller(redis, zendesk).run("tickets", since=datetime.fromtimestamp(T0 - 60, UTC),
                                        now=NOW)
    assert result["status"] == "ok" and result["records"] == 4
    drain(redis)
    assert redis.hget("breather:ticket:zendesk:100", "team") == b"Billing"
    assert redis.hget("breather:agent:zendesk:7", "name") == b"Ana"


def test_a_process_job_is_described_by_its_size_never_by_its_text(redis):
    """RQ would describe the job by the repr of its arguments (the records, text included)."""
    text = "My invoice is wrong and I am furious"
    record = {"kind": "message", "source": "zendesk", "id": "zendesk:c-1",
              "ticket": "zendesk:2", "author": "zendesk:3", "from": "customer",
              "public": True, "at": "2026-11-29T10:00:00Z", "text": text}
    job = poll.enqueue_records(Queue("breather", connection=redis), [record] * 3)
    stored = redis.hget(job.key, "description").decode()
    assert stored == "process_records(3 records)" and "invoice" not in stored
