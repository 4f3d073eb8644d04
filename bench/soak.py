"""Soak: 10 minutes of 200 API requests a second while a steady stream of customer messages is
polled and processed. Pass when there is no 5xx, no failed job, and the resident memory of
every process (gunicorn's master and workers, RQ workers, the scheduler, Redis) grows by less
than 10 % between minute 2 and the end. The memory curves go to docs/soak-memory.png.

Run: .venv/bin/python -m bench.soak   (12 minutes; --minutes, --rate, --stream to change)

Before the clock: Redis is given a working day of a 500-agent floor (agents, their tickets and
50,000 customer messages processed as the workers would, so it starts with a day's
de-duplication marks and strain states), and a Zendesk-shaped server serves the same agents and
tickets. (A backlog served by the vendor instead took Zendesk's export limit, 5,000 events a
minute at Breather's share, over 10 minutes to drain: the soak measured the catching up, not
the steady state.) On the clock: a
feeder adds --stream new messages a second at the vendor, `breather scheduler` polls every
BREATHER_POLL_SECONDS, two `breather worker`s process, locust (bench/locustfile.py) sends the
widget's GETs and /healthz through gunicorn (deploy/gunicorn.conf.py).

The stream, 10 messages a second of which 3 in 4 from customers, is 7.5 customer messages a
second: 27,000 an hour, 54 per agent an hour for 500 agents, about 4x a busy floor's peak
(100 customer messages per agent in an 8-hour shift: 500 x 100 / 28,800 s = 1.7 a second).
Redis's memory is reported split into the de-duplication marks (one per message for the
retention window: they grow by design until the window is full) and everything else (which
must not grow), from a breakdown by key family each minute (bench/redis_memory.py).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import threading
import time
from pathlib import Path

from rq import Queue
from rq.registry import FailedJobRegistry

from bench import redis_memory
from bench.api import locust, read_stats
from bench.harness import (
    BIN,
    PAGE,
    ROOT,
    PreparedZendesk,
    ServedApp,
    Stack,
    comment_event,
    machine_load,
    rss_mb,
)
from bench.scale import TEXTS, iso
from workers import keys
from workers.poll import JOB_RESULT_TTL
from workers.process import apply_records

AGENTS, TICKETS = 500, 5000
BACKLOG = 50_000  # customer messages of the day before the clock: 500 agents x 100
PLOT = ROOT / "docs/soak-memory.png"
FLOOR_MESSAGES_PER_DAY, RETENTION_DAYS = 500 * 100, 30  # the floor; BREATHER_RETENTION_DAYS


def feed(vendor: PreparedZendesk, per_second: float, stop: threading.Event) -> None:
    """Add customer (and staff) messages at the vendor at a steady rate until stopped."""
    rng, i = random.Random(5), 0
    while not stop.wait(1.0):
        now = int(time.time())
        for _ in range(int(per_second)):
            i += 1
            ticket = 1 + rng.randrange(TICKETS)
            vendor.add_event(comment_event(rng, 7_000_000 + i, ticket, now,
                                           vendor.agent_ids[ticket % AGENTS]))


def sample_memory(stack: Stack, stop: threading.Event, every: float,
                  samples: list[tuple[float, dict[str, float]]]) -> None:
    start = time.monotonic()
    while True:
        samples.append((time.monotonic() - start,
                        {name: rss_mb(pid) for name, pid in stack.pids().items()}))
        if stop.wait(every):
            return


def watch_redis(stack: Stack, stop: threading.Event, every: float,
                snapshots: list[tuple[float, dict]]) -> None:
    """Redis's memory by key family every `every` seconds (a SCAN and MEMORY USAGE of every
    key: a fraction of a second of Redis's time)."""
    start = time.monotonic()
    while not stop.wait(every):
        snapshots.append((time.monotonic() - start, snapshot(stack)))


def snapshot(stack: Stack) -> dict:
    """Redis's memory by key family, and how many customer messages were processed so far."""
    return redis_memory.breakdown(stack.redis) | {"customer_messages": processed(stack)}


def processed(stack: Stack) -> int:
    return sum(int(v) for v in stack.redis.hvals(keys.MESSAGE_COUNTS))


def growth(samples: list[tuple[float, dict]], from_s: float) -> dict[str, tuple[float, float]]:
    """RSS (MB) at `from_s` and at the end, per process."""
    first = next(values for at, values in samples if at >= from_s)
    last = samples[-1][1]
    return {name: (first[name], last.get(name, float("nan"))) for name in first}


def plot(samples: list[tuple[float, dict]], snapshots: list[tuple[float, dict]], path: Path,
         title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (axis, split) = plt.subplots(1, 2, figsize=(12, 4.5), dpi=100,
                                         gridspec_kw={"width_ratios": [3, 2]})
    for name in samples[0][1]:
        axis.plot([at / 60 for at, _ in samples], [values.get(name) for _, values in samples],
                  label=name)
    axis.set_ylabel("resident memory (MB)")
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7, ncol=3, loc="upper left")
    minutes = [at / 60 for at, _ in snapshots]
    split.stackplot(minutes, *zip(*([size / 2**20 for size in redis_memory.parts(s).values()]
                                    for _, s in snapshots), strict=True),
                    labels=redis_memory.PARTS, alpha=0.7)
    split.set_ylabel("Redis used_memory (MB)")
    split.set_title("Redis used_memory, by what it holds", fontsize=9)
    split.legend(fontsize=7, loc="upper left")
    for each in (axis, split):
        each.axvline(2, color="grey", linestyle=":", linewidth=1)
        each.set_xlabel("minutes")
        each.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def failures_5xx(out: Path) -> int:
    """Failures locust saw with a 5xx status (its failures file names the status)."""
    with open(f"{out}_failures.csv", newline="") as handle:
        return sum(int(row["Occurrences"]) for row in csv.DictReader(handle)
                   if re.search(r"\b5\d\d\b", row["Error"]))


def seed_day(stack: Stack, vendor: PreparedZendesk, messages: int) -> None:
    """The vendor's agents and tickets and `messages` customer messages spread over the day
    before, processed into Redis as the workers would (scored, marked, strain updated)."""
    now = time.time()
    records = [{"kind": "agent", "source": "zendesk", "id": f"zendesk:{user['id']}",
                "name": user["name"], "team": f"Team {user['default_group_id']}", "active": True}
               for user in vendor.users]
    records += [{"kind": "ticket", "source": "zendesk", "id": f"zendesk:{t['id']}",
                 "agent": f"zendesk:{t['assignee_id']}", "team": f"Team {t['group_id']}",
                 "status": "open", "open": True, "updated_at": t["updated_at"]}
                for t in vendor.tickets]
    apply_records(stack.redis, records)
    rng = random.Random(3)
    for start in range(0, messages, PAGE):
        apply_records(stack.redis, [
            {"kind": "message", "source": "zendesk", "id": f"zendesk:day-{i}",
             "ticket": f"zendesk:{1 + rng.randrange(TICKETS)}", "author": "zendesk:99",
             "from": "customer", "public": True,
             "at": iso(now - 86_400 + i * 82_800 / max(messages, 1)), "text": rng.choice(TEXTS)}
            for i in range(start, min(start + PAGE, messages))])


def run(minutes: float, rate: float, stream: float, poll_seconds: int, plot_to: Path,
        backlog: int = BACKLOG) -> dict:
    vendor = PreparedZendesk(AGENTS, TICKETS, 0, int(time.time()) - 3600)
    served = ServedApp(vendor)
    stop, samples, snapshots = threading.Event(), [], []
    try:
        with Stack(served.url, BREATHER_POLL_SECONDS=str(poll_seconds)) as stack:
            seed_day(stack, vendor, backlog)
            url = stack.gunicorn()
            stack.workers(2)
            stack.start("scheduler", [str(BIN / "breather"), "scheduler"])
            load = machine_load()
            threads = [threading.Thread(target=feed, args=(vendor, stream, stop), daemon=True),
                       threading.Thread(target=sample_memory, daemon=True,
                                        args=(stack, stop, 5.0, samples)),
                       threading.Thread(target=watch_redis, daemon=True,
                                        args=(stack, stop, min(60.0, minutes * 6), snapshots))]
            for thread in threads:
                thread.start()
            out = stack.folder / "locust"
            run_locust(url, rate, int(minutes * 60), out, stack.env)
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            snapshots.append((samples[-1][0], snapshot(stack)))
            stats, fivexx = read_stats(out), failures_5xx(out)  # the folder goes with the stack
            failed_jobs = FailedJobRegistry(queue=Queue("breather", connection=stack.redis)).count
            customer_messages = processed(stack)
            end_load = machine_load()
    finally:
        served.close()
    from_s = min(120.0, minutes * 60 / 5)
    first = next((s for at, s in snapshots if at >= from_s - 5), snapshots[0][1])
    result = {"stats": stats, "failed_jobs": failed_jobs, "5xx": fivexx,
              "growth": growth(samples, from_s), "redis_first": first,
              "redis_window_full": next(((at, s) for at, s in snapshots[:-1]
                                         if at >= JOB_RESULT_TTL + 30), None),
              "redis_last": snapshots[-1][1],
              "customer_messages": customer_messages, "load": load, "end_load": end_load}
    plot(samples, snapshots, plot_to, f"bench.soak: {minutes:g} min, {rate:.0f} API req/s, "
         f"{stream:g} messages/s; dotted line: minute 2")
    return result


def run_locust(url: str, rate: float, seconds: int, out: Path, env: dict) -> None:
    locust(url, rate, seconds, [f"zendesk:{1000 + a}" for a in range(AGENTS)], out, env)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--stream", type=float, default=10.0, help="new messages a second")
    parser.add_argument("--poll-seconds", type=int, default=10)
    parser.add_argument("--backlog", type=int, default=BACKLOG, help="messages before the clock")
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args(argv)
    result = run(args.minutes, args.rate, args.stream, args.poll_seconds, args.plot,
                 args.backlog)
    total = result["stats"]["Aggregated"]
    print(f"{args.minutes:g} min: {total['count']:,} API requests ({total['rps']:.0f}/s), "
          f"failures {total['failures']}, of them 5xx {result['5xx']}; failed jobs "
          f"{result['failed_jobs']}; customer messages processed {result['customer_messages']:,}"
          f"; {result['load']} at start, {result['end_load']} at the end")
    for name, (first, last) in result["growth"].items():
        change = (last - first) / first * 100 if first else float("nan")
        print(f"  {name:18s} RSS {first:7.1f} MB at minute 2 -> {last:7.1f} MB "
              f"({change:+.1f} %)")
    print("Redis, minute 2 -> end:")
    for line in redis_memory.growth_lines(result["redis_first"], result["redis_last"]):
        print("  " + line)
    full = result["redis_window_full"]
    if full:
        jobs = redis_memory.PARTS[1]
        print(f"  {jobs} once JOB_RESULT_TTL has passed (minute {full[0] / 60:.1f} -> end): "
              f"{redis_memory.parts(full[1])[jobs] / 2**20:.2f} -> "
              f"{redis_memory.parts(result['redis_last'])[jobs] / 2**20:.2f} MB")
    first, last = result["redis_first"], result["redis_last"]
    messages = last["customer_messages"] - first["customer_messages"]
    per_message = (last["dedup"] - first["dedup"]) / max(messages, 1)
    plateau = FLOOR_MESSAGES_PER_DAY * RETENTION_DAYS * per_message
    print(f"  marks: {per_message:.0f} B per customer message ({messages:,} processed from "
          f"minute 2); bounded by the retention window: {FLOOR_MESSAGES_PER_DAY:,} customer "
          f"messages a day (500 agents x 100) x {RETENTION_DAYS} days x {per_message:.0f} B = "
          f"{plateau / 2**20:,.0f} MB, then flat")
    print(f"memory curves: {args.plot}")
    return result | {"marks_per_message": per_message, "plateau": plateau}


if __name__ == "__main__":
    main()
