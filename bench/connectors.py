"""Connector benchmark: API requests per 1,000 changed tickets / comment events, and parse +
enqueue throughput, each against the naive approach measured in the same run.

Run: .venv/bin/python -m bench.connectors   (about a minute on 2 cores)

1. Requests: local servers that behave like Zendesk and Freshdesk (tests/vendors.py) hold
   N changed tickets with one comment each. Breather's streams are counted against the naive
   way (list tickets, then one request per ticket for its comments).
2. Throughput: a simulated 100,000-ticket Zendesk account (100,000 tickets + 100,000 comment
   events as raw export pages) is JSON-decoded, normalised and enqueued into a real Redis, one
   process job per page, on one core; the baseline enqueues one job per record.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from rq import Queue  # noqa: E402
from servers import LiveServer  # noqa: E402
from vendors import T0, FakeFreshdesk, FakeZendesk, iso  # noqa: E402

from connectors.freshdesk import FreshdeskClient  # noqa: E402
from connectors.records import Page  # noqa: E402
from connectors.zendesk import ZendeskClient, comment_records, ticket_record  # noqa: E402
from workers.embedded import start_embedded_redis  # noqa: E402
from workers.poll import Poller, enqueue_records  # noqa: E402

CHANGED = 3000
ACCOUNT = 100_000
PAGE = 1000
BASELINE_SAMPLE = 5000


def zendesk_requests(n: int) -> dict:
    vendor = FakeZendesk()
    vendor.add_agent(7, "Ana")
    for i in range(n):
        vendor.add_ticket(i + 1, T0 + i, assignee=7)
        vendor.add_comment(10 * (i + 1), i + 1, T0 + i)
    with LiveServer(vendor) as server:
        client = ZendeskClient(server.url, "ops@example.com", "secret", budget_share=1.0)
        tickets = [r for p in client.tickets({"start_time": T0}, {}, now=T0 + n + 999)
                   for r in p.records]
        after_tickets = client.http.requests_made
        messages = [r for p in client.messages({"start_time": T0}, set(), now=T0 + n + 999)
                    for r in p.records]
        ours_tickets, ours_events = after_tickets, client.http.requests_made - after_tickets
        naive = ZendeskClient(server.url, "ops@example.com", "secret")
        naive_comments = 0
        for ticket in tickets:  # the naive way: one comments request per changed ticket
            data, _ = naive.http.get_json(f"/api/v2/tickets/{ticket['id'].split(':')[1]}"
                                          "/comments.json")
            naive_comments += len(data["comments"])
    assert len(tickets) == n and len(messages) == n == naive_comments
    per = 1000 / n
    return {"tickets": ours_tickets * per, "events": ours_events * per,
            "naive_events": (ours_tickets + naive.http.requests_made) * per}


def freshdesk_requests(n: int) -> dict:
    vendor = FakeFreshdesk()
    vendor.add_agent(7, "Ana")
    for i in range(n):
        vendor.add_ticket(i + 1, T0 + i)
        vendor.add_conversation(10 * (i + 1), i + 1, T0 + i)
    with LiveServer(vendor) as server:
        client = FreshdeskClient(server.url, "fdkey")
        records = [r for p in client.tickets({"updated_since": iso(T0)}, {}) for r in p.records]
        lists = vendor.count("/tickets?")
        conversations = vendor.count("/conversations")
        before = len(vendor.requests)
        naive = FreshdeskClient(server.url, "fdkey", per_page=30)  # default page size
        for items, _, _ in naive._pages("/api/v2/tickets", {"updated_since": iso(T0)}):
            for item in items:  # view each ticket, then its conversations
                naive.http.get_json(f"/api/v2/tickets/{item['id']}")
                naive.http.get_json(f"/api/v2/tickets/{item['id']}/conversations")
        naive_total = len(vendor.requests) - before
    assert sum(r["kind"] == "ticket" for r in records) == n
    per = 1000 / n
    return {"list": lists * per, "conversations": conversations * per,
            "naive": naive_total * per}


def export_pages(n: int) -> tuple[list[bytes], list[bytes]]:
    """Raw Zendesk export pages (as the wire carries them) for an n-ticket account."""
    ticket_pages, event_pages = [], []
    for start in range(0, n, PAGE):
        ids = range(start + 1, min(n, start + PAGE) + 1)
        tickets = [{"id": i, "updated_at": iso(T0 + i), "status": "open", "assignee_id": 7,
                    "group_id": 1, "subject": f"Order {i}", "generated_timestamp": T0 + i}
                   for i in ids]
        events = [{"id": 10**9 + i, "ticket_id": i, "timestamp": T0 + i,
                   "created_at": iso(T0 + i), "child_events": [
                       {"id": 10 * i, "event_type": "Comment", "author_id": 5000 + i,
                        "body": "Where is my refund? This is the third time I write.",
                        "public": True}]} for i in ids]
        ticket_pages.append(json.dumps({"tickets": tickets, "end_of_stream": False}).encode())
        event_pages.append(json.dumps({"ticket_events": events, "end_time": T0}).encode())
    return ticket_pages, event_pages


def parse(ticket_pages: list[bytes], event_pages: list[bytes]):
    groups, agents = {"1": "Billing"}, {"7"}
    for raw in ticket_pages:
        yield [r for t in json.loads(raw)["tickets"] if (r := ticket_record(t, groups))]
    for raw in event_pages:
        yield [r for e in json.loads(raw)["ticket_events"] for r in comment_records(e, agents)]


def throughput(redis, ticket_pages, event_pages) -> tuple[float, float]:
    """(records/s batched per page through the poller's commit, records/s one job per record)."""
    queue = Queue("bench", connection=redis)
    poller = Poller(redis, queue, ZendeskClient("http://unused", "a", "b"))
    assert poller._acquire("bench")
    started, count = time.perf_counter(), 0
    for i, batch in enumerate(parse(ticket_pages, event_pages)):
        poller._commit("bench", Page(batch, {"position": float(i)}, False))
        count += len(batch)
    ours = count / (time.perf_counter() - started)
    redis.flushdb()
    sample = [r for batch in parse(ticket_pages[:3], event_pages[:3]) for r in batch]
    started = time.perf_counter()
    for record in sample[:BASELINE_SAMPLE]:
        enqueue_records(queue, [record])
    naive = min(len(sample), BASELINE_SAMPLE) / (time.perf_counter() - started)
    redis.flushdb()
    return ours, naive


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    z = zendesk_requests(CHANGED)
    f = freshdesk_requests(CHANGED)
    with tempfile.TemporaryDirectory(prefix="breather-bench-") as folder:
        server = start_embedded_redis(Path(folder))
        try:
            import redis as redis_lib

            pages = export_pages(ACCOUNT)
            ours, naive = throughput(redis_lib.Redis.from_url(server.url), *pages)
        finally:
            server.stop()
    print(f"changed tickets: {CHANGED}, each with one comment; account: {ACCOUNT:,} tickets")
    print(f"zendesk   tickets  {z['tickets']:.2f} req/1000 tickets (target <= 2)")
    print(f"zendesk   comments {z['events']:.2f} req/1000 comment events (target <= 2); "
          f"naive per-ticket: {z['naive_events']:.0f} ({z['naive_events'] / z['events']:.0f}x)")
    print(f"freshdesk tickets  {f['list']:.2f} list req + {f['conversations']:.0f} conversations "
          f"req per 1000 tickets (target <= 11 + 1000); naive: {f['naive']:.0f}")
    print(f"parse+enqueue {ours:,.0f} records/s (one job per page; target >= 20,000); "
          f"naive one job per record: {naive:,.0f} records/s ({ours / naive:.0f}x)")


if __name__ == "__main__":
    main()
