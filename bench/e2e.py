"""End-to-end throughput: customer messages a second from a Zendesk-shaped server through poll,
scoring and the strain update into Redis, with 1, 2 and 4 `breather worker` processes.

Run: .venv/bin/python -m bench.e2e   (about two minutes; --messages, --workers to change)

Before the clock starts: the vendor's export pages are rendered to bytes, agents and tickets
are polled and applied, and the workers are up with the tone model loaded. On the clock: the
messages stream is polled (the real Poller: fetch, parse, bookmark + enqueue per page) while
real `breather worker` processes take the pages off RQ's queue; the clock stops when the last
job has finished. Zendesk's own limit of 10 export requests a minute is lifted for the run
(`endpoint_limits={}`): it caps one real account at 10,000 events a minute whatever Breather
does, and the point here is what Breather does.

A breakdown in one process on the same pages follows: fetch and parse, scoring, strain update,
Redis round trips (counted and timed at the connection) and the rest of process.py.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import Counter

import psutil
import redis as redis_lib
from redis.connection import Connection, ConnectionPool
from rq import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry

from bench.harness import EMAIL, TOKEN, PreparedZendesk, ServedApp, Stack, machine_load
from connectors.zendesk import ZendeskClient
from workers import keys, process, strain
from workers.poll import Poller
from workers.rq_workers import SimpleWorker, Worker

T_BACK = 20 * 3600  # the export starts within the connector's one-day look-back
CLOCK = time.thread_time  # the breakdown counts CPU time: waiting for a shared core is not cost


def poller_for(r: redis_lib.Redis, url: str) -> Poller:
    client = ZendeskClient(url, EMAIL, TOKEN, budget_share=1.0, endpoint_limits={})
    return Poller(r, Queue("breather", connection=r), client)


def set_up(stack: Stack, url: str) -> None:
    """Agents and tickets polled and applied in this process, before the clock starts."""
    os.environ.update({k: v for k, v in stack.env.items() if k.startswith(("REDIS", "ZENDESK",
                                                                         "BREATHER"))})
    poller = poller_for(stack.redis, url)
    for stream in ("agents", "tickets"):
        poller.run(stream)
    SimpleWorker([poller.queue], connection=stack.redis).work(burst=True,
                                                               logging_level="WARNING")


def wait_for_workers(r: redis_lib.Redis, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while Worker.count(connection=r) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {Worker.count(connection=r)} of {count} workers started")
        time.sleep(0.1)


def processed(r: redis_lib.Redis) -> int:
    """Process jobs run so far, from the processing-time histogram (RQ's finished-job registry
    forgets a job after JOB_RESULT_TTL, a minute, which a slow run can outlast)."""
    counts = r.hgetall(keys.latency("processing"))
    return sum(int(v) for k, v in counts.items() if k != b"sum")


def drain(queue: Queue, jobs: int, already: int, timeout: float = 600.0) -> float:
    """Wait until `jobs` more process jobs ran; returns the moment it happened."""
    started = StartedJobRegistry(queue=queue)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processed(queue.connection) - already >= jobs and queue.count == 0 \
                and started.count == 0:
            return time.perf_counter()
        time.sleep(0.005)
    raise RuntimeError("the workers did not finish in time")


def end_to_end(vendor: PreparedZendesk, workers: int) -> dict:
    served = ServedApp(vendor)
    try:
        with Stack(served.url) as stack:
            set_up(stack, served.url)
            queue = Queue("breather", connection=stack.redis)
            already = processed(stack.redis)
            stack.workers(workers)
            wait_for_workers(stack.redis, workers)
            load = machine_load()
            watched = [stack.redis_server.process.pid] + [p.pid for p in
                                                           stack.processes.values()]
            cpu_before = [cpu_seconds([pid]) for pid in watched]
            start, poll_cpu = time.perf_counter(), time.thread_time()
            summary = poller_for(stack.redis, served.url).run("messages")
            polled, poll_cpu = time.perf_counter(), time.thread_time() - poll_cpu
            end = drain(queue, summary["pages"], already)
            split = [cpu_seconds([pid]) - before for pid, before in zip(watched, cpu_before,
                                                                       strict=True)]
            cpu = sum(split) + poll_cpu
            failed = FailedJobRegistry(queue=queue).count
    finally:
        served.close()
    customers = sum(1 for e in vendor.events
                    if e["child_events"][0]["author_id"] >= 900_000)
    seconds = end - start
    return {"workers": workers, "messages": summary["records"], "customer": customers,
            "pages": summary["pages"], "seconds": seconds, "poll_seconds": polled - start,
            "per_s": summary["records"] / seconds, "customer_per_s": customers / seconds,
            "failed_jobs": failed, "load": load,
            "cpu_us": cpu / summary["records"] * 1e6,
            "cpu_split_us": {"poll": poll_cpu / summary["records"] * 1e6,
                             "redis": split[0] / summary["records"] * 1e6,
                             "workers": sum(split[1:]) / summary["records"] * 1e6}}


def fmt(parts: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.0f}" for name, value in parts.items())


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of processes and of their children already reaped (RQ's forked job horses)."""
    total = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system + times.children_user + times.children_system
    return total


# -- breakdown ------------------------------------------------------------------------------
class CountingConnection(Connection):
    """A redis-py connection that counts round trips and the time spent on them."""

    trips = 0
    seconds = 0.0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.trips += 1
        start = CLOCK()
        try:
            return super().send_packed_command(command, check_health)
        finally:
            CountingConnection.seconds += CLOCK() - start

    def read_response(self, *args, **kwargs):
        start = CLOCK()
        try:
            return super().read_response(*args, **kwargs)
        finally:
            CountingConnection.seconds += CLOCK() - start


class Timed:
    """Wrap a module function to add up the time spent in it."""

    def __init__(self, module, name: str):
        self.module, self.name, self.original = module, name, getattr(module, name)
        self.seconds = 0.0

    def __enter__(self) -> Timed:
        original = self.original

        def timed(*args, **kwargs):
            start = CLOCK()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += CLOCK() - start

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *exc) -> None:
        setattr(self.module, self.name, self.original)


def breakdown(vendor: PreparedZendesk) -> dict:
    """Microseconds per message of each part, one process, same pages, same kind of Redis."""
    served = ServedApp(vendor)
    try:
        with Stack(served.url) as stack:
            set_up(stack, served.url)
            queue = Queue("breather", connection=stack.redis)
            queue.empty()
            start = CLOCK()
            summary = poller_for(stack.redis, served.url).run("messages")
            fetch = CLOCK() - start
            pages = [job.args[0] for job in queue.get_jobs()]
            queue.empty()
            pool = ConnectionPool.from_url(stack.redis_server.url,
                                           connection_class=CountingConnection)
            counted = redis_lib.Redis(connection_pool=pool)
            CountingConnection.trips, CountingConnection.seconds = 0, 0.0
            with Timed(process, "_score") as scoring, Timed(strain, "apply_in_place") as model, \
                    Timed(strain, "dumps") as dumps, Timed(strain, "loads") as loads:
                start = CLOCK()
                for page in pages:
                    process.apply_records(counted, page)
                total = CLOCK() - start
    finally:
        served.close()
    n = summary["records"]
    redis_s = CountingConnection.seconds
    strain_s = model.seconds + dumps.seconds + loads.seconds
    per = 1e6 / n
    return {"fetch_parse_enqueue": fetch * per, "scoring": scoring.seconds * per,
            "strain": strain_s * per, "redis": redis_s * per,
            "redis_trips": CountingConnection.trips / n,
            "other": (total - scoring.seconds - strain_s - redis_s) * per,
            "process_total": total * per, "messages": n}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=4_000)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("breather").setLevel(logging.WARNING)
    vendor = PreparedZendesk(args.agents, args.tickets, args.messages,
                             int(time.time()) - T_BACK)
    senders = Counter("customer" if e["child_events"][0]["author_id"] >= 900_000 else "staff"
                      for e in vendor.events)
    print(f"{args.messages:,} messages ({senders['customer']:,} from customers) on "
          f"{args.tickets:,} tickets of {args.agents} agents, pages of 1,000")
    runs = []
    for count in (int(w) for w in args.workers.split(",")):
        result = end_to_end(vendor, count)
        runs.append(result)
        print(f"{count} worker(s): {result['customer_per_s']:,.0f} customer messages/s "
              f"({result['per_s']:,.0f} messages/s of all senders), {result['seconds']:.1f} s; "
              f"poll finished after {result['poll_seconds']:.1f} s; CPU per message "
              f"{result['cpu_us']:.0f} us ({fmt(result['cpu_split_us'])}); "
              f"failed jobs {result['failed_jobs']}; {result['load']} at start")
    parts = breakdown(vendor)
    print("CPU per message, one process, same pages (microseconds of this thread's CPU):")
    for name in ("fetch_parse_enqueue", "scoring", "strain", "redis", "other", "process_total"):
        print(f"  {name:20s} {parts[name]:8.1f}")
    print(f"  Redis round trips per message: {parts['redis_trips']:.3f} (client CPU on them in "
          "'redis'; the Redis server's own CPU is in the end-to-end split)")
    return {"runs": runs, "breakdown": parts}


if __name__ == "__main__":
    main()
