"""Soak: 10 minutes of 200 API requests a second while a steady stream of customer messages is
polled and processed. Pass when there is no 5xx, no failed job, and the resident memory of
every process (gunicorn's master and workers, RQ workers, the scheduler, Redis) grows by less
than 10 % between minute 2 and the end. The memory curves go to docs/soak-memory.png.

Run: .venv/bin/python -m bench.soak   (11 minutes; --minutes, --rate, --stream to change)

Before the clock: a Zendesk-shaped server holds a backlog of earlier messages (a working day's
worth for the agents, so Redis starts with a realistic de-duplication set). On the clock: a
feeder adds --stream new messages a second at the vendor, `breather scheduler` polls every
BREATHER_POLL_SECONDS, two `breather worker`s process, locust (bench/locustfile.py) sends the
widget's GETs and /healthz through gunicorn (deploy/gunicorn.conf.py).
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

from bench.api import locust, read_stats
from bench.harness import (
    BIN,
    ROOT,
    PreparedZendesk,
    ServedApp,
    Stack,
    comment_event,
    machine_load,
    rss_mb,
)

AGENTS, TICKETS, BACKLOG = 200, 2000, 20_000
PLOT = ROOT / "docs/soak-memory.png"


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


def growth(samples: list[tuple[float, dict]], from_s: float) -> dict[str, tuple[float, float]]:
    """RSS (MB) at `from_s` and at the end, per process."""
    first = next(values for at, values in samples if at >= from_s)
    last = samples[-1][1]
    return {name: (first[name], last.get(name, float("nan"))) for name in first}


def plot(samples: list[tuple[float, dict]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(9, 4.5), dpi=100)
    for name in samples[0][1]:
        axis.plot([at / 60 for at, _ in samples], [values.get(name) for _, values in samples],
                  label=name)
    axis.axvline(2, color="grey", linestyle=":", linewidth=1)
    axis.set_xlabel("minutes")
    axis.set_ylabel("resident memory (MB)")
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=7, ncol=3, loc="upper left")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def failures_5xx(out: Path) -> int:
    """Failures locust saw with a 5xx status (its failures file names the status)."""
    with open(f"{out}_failures.csv", newline="") as handle:
        return sum(int(row["Occurrences"]) for row in csv.DictReader(handle)
                   if re.search(r"\b5\d\d\b", row["Error"]))


def run(minutes: float, rate: float, stream: float, poll_seconds: int, plot_to: Path,
        backlog: int = BACKLOG) -> dict:
    vendor = PreparedZendesk(AGENTS, TICKETS, backlog, int(time.time()) - backlog - 3600)
    served = ServedApp(vendor)
    stop, samples = threading.Event(), []
    try:
        with Stack(served.url, BREATHER_POLL_SECONDS=str(poll_seconds)) as stack:
            url = stack.gunicorn()
            stack.workers(2)
            stack.start("scheduler", [str(BIN / "breather"), "scheduler"])
            load = machine_load()
            threads = [threading.Thread(target=feed, args=(vendor, stream, stop), daemon=True),
                       threading.Thread(target=sample_memory, daemon=True,
                                        args=(stack, stop, 5.0, samples))]
            for thread in threads:
                thread.start()
            out = stack.folder / "locust"
            run_locust(url, rate, int(minutes * 60), out, stack.env)
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            stats = read_stats(out)
            failed_jobs = FailedJobRegistry(queue=Queue("breather", connection=stack.redis)).count
            processed = sum(int(v) for v in stack.redis.hvals("breather:stats:messages"))
            end_load = machine_load()
    finally:
        served.close()
    result = {"stats": stats, "failed_jobs": failed_jobs, "5xx": failures_5xx(out),
              "growth": growth(samples, min(120.0, minutes * 60 / 5)),
              "customer_messages": processed, "load": load, "end_load": end_load}
    plot(samples, plot_to, f"bench.soak: {minutes:g} min, {rate:.0f} API req/s, "
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
    print(f"memory curves: {args.plot}")
    return result


if __name__ == "__main__":
    main()
