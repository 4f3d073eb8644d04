"""Freshness: from a hostile customer message appearing at the vendor to the cool-down being
visible in GET /api/v1/agents/<agent>/suggestion, p50 and p95, with webhooks and with polling.

Run: .venv/bin/python -m bench.freshness   (about three minutes; --trials, --poll-seconds)

Real processes: redis-server, gunicorn (deploy/gunicorn.conf.py), two `breather worker`s and,
for polling, `breather scheduler` at BREATHER_POLL_SECONDS. A Zendesk-shaped server holds the
account. Each trial picks an agent who has had no suggestion yet (one prompt at a time is
the rule), then:
- webhook: POSTs a signed Zendesk webhook for a new comment on one of the agent's tickets;
- polling: adds the comment to the vendor's ticket events; the next scheduled poll finds it.
The clock starts when the message exists and stops when the widget's GET shows the cool-down
(asked every 50 ms, as a fast widget would). Check-ins stay on: a cool-down takes the place
of an open, unanswered check-in.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import requests

from bench.harness import (
    BIN,
    SECRET,
    PreparedZendesk,
    ServedApp,
    Stack,
    iso,
    machine_load,
    percentile,
)
from connectors.webhooks import zendesk_signature
from service.auth import issue_token

HOSTILE = ("You useless idiots, this is the worst scam ever. I am furious, fix it NOW or I "
           "will sue you!!!")
WEBHOOK_SECRET = "bench-webhook-secret"
AGENTS, TICKETS = 60, 120


def hostile_event(comment_id: int, ticket: int, at: int) -> dict:
    child = {"id": comment_id, "event_type": "Comment", "author_id": 900_000 + ticket,
             "body": HOSTILE, "public": True}
    return {"id": comment_id + 10**9, "ticket_id": ticket, "timestamp": at,
            "created_at": iso(at), "child_events": [child]}


def webhook_body(comment_id: int, ticket: dict, at: int) -> bytes:
    return json.dumps({"ticket": {"id": ticket["id"], "status": "open",
                                  "assignee_id": ticket["assignee_id"],
                                  "group_id": ticket["group_id"], "updated_at": iso(at)},
                       "comment": {"id": comment_id, "author_id": 900_000 + ticket["id"],
                                   "body": HOSTILE, "public": True, "created_at": iso(at)},
                       }).encode()


def one_ticket_per_agent(vendor: PreparedZendesk, count: int) -> list[dict]:
    """Tickets of `count` different agents: each agent meets one hostile message only."""
    first = {}
    for ticket in vendor.tickets:
        first.setdefault(ticket["assignee_id"], ticket)
    if count > len(first):
        raise ValueError(f"at most {len(first)} trials (one per agent)")
    return random.Random(3).sample(list(first.values()), count)


def wait_for_cool_down(url: str, agent: str, timeout: float) -> float | None:
    headers = {"Authorization": f"Bearer {issue_token(SECRET, agent)}"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = requests.get(f"{url}/api/v1/agents/{agent}/suggestion", headers=headers,
                                timeout=5)
        suggestion = response.json().get("suggestion") if response.ok else None
        if suggestion and suggestion.get("kind") == "cool_down":
            return time.perf_counter()
        time.sleep(0.05)
    return None


def warm_up(stack: Stack) -> None:
    """Agents and tickets known, bookmarks at now: the first polls of every stream processed."""
    deadline = time.monotonic() + 60
    while not stack.redis.smembers("breather:agents") or stack.redis.llen("rq:queue:breather"):
        if time.monotonic() > deadline:
            raise RuntimeError("the first polls did not finish within a minute")
        time.sleep(0.2)
    time.sleep(2)


def trials(mode: str, count: int, poll_seconds: int) -> tuple[list[float], int, str]:
    now = int(time.time())
    vendor = PreparedZendesk(AGENTS, TICKETS, 0, now - 3600, seed=2)
    served = ServedApp(vendor)
    latencies, missed = [], 0
    try:
        env = {"BREATHER_POLL_SECONDS": str(poll_seconds),
               "ZENDESK_WEBHOOK_SECRET": WEBHOOK_SECRET}
        with Stack(served.url, **env) as stack:
            url = stack.gunicorn()
            stack.workers(2)
            stack.start("scheduler", [str(BIN / "breather"), "scheduler"])
            warm_up(stack)
            if mode == "webhook":  # pushes only: stop polling so nothing else delivers it
                stack.processes["scheduler"].terminate()
            load = machine_load()
            order = one_ticket_per_agent(vendor, count)
            phase = random.Random(4)
            for i, ticket in enumerate(order):
                agent = f"zendesk:{ticket['assignee_id']}"
                comment_id, at = 5_000_000 + i, int(time.time())
                if mode == "webhook":
                    body = webhook_body(comment_id, ticket, at)
                    stamp = str(int(time.time()))
                    start = time.perf_counter()
                    requests.post(f"{url}/hooks/zendesk", data=body, timeout=5, headers={
                        "Content-Type": "application/json",
                        "X-Zendesk-Webhook-Signature": zendesk_signature(WEBHOOK_SECRET,
                                                                         stamp, body),
                        "X-Zendesk-Webhook-Signature-Timestamp": stamp}).raise_for_status()
                else:  # at a random moment of the poll cycle, not right after the last poll
                    time.sleep(phase.uniform(0, poll_seconds))
                    at = int(time.time())
                    vendor.add_event(hostile_event(comment_id, ticket["id"], at))
                    start = time.perf_counter()
                seen = wait_for_cool_down(url, agent, timeout=poll_seconds + 30)
                if seen is None:
                    missed += 1
                else:
                    latencies.append(seen - start)
    finally:
        served.close()
    return latencies, missed, load


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--poll-seconds", type=int, default=5)
    parser.add_argument("--modes", default="webhook,polling")
    args = parser.parse_args(argv)
    results = {}
    for mode in args.modes.split(","):
        latencies, missed, load = trials(mode, args.trials, args.poll_seconds)
        results[mode] = {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                         "trials": len(latencies), "missed": missed}
        target = 2.0 if mode == "webhook" else args.poll_seconds + 2.0
        print(f"{mode:8s} p50 {results[mode]['p50']:.2f} s  p95 {results[mode]['p95']:.2f} s "
              f"(target p95 <= {target:.0f} s) over {len(latencies)} trials, {missed} missed; "
              f"poll interval {args.poll_seconds} s; {load} at start")
    return results


if __name__ == "__main__":
    main()
