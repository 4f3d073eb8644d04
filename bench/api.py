"""API latency: the widget's GETs at 200 requests a second for a minute under gunicorn
(deploy/gunicorn.conf.py), p50, p95 and p99, beside the trivial /healthz of the same server in
the same run. The load comes from locust, headless (bench/locustfile.py: Poisson arrivals).

Run: .venv/bin/python -m bench.api   (about 90 s; --seconds, --rate, --agents, --no-pin)

Redis holds the state a day of work leaves: agents with open tickets, strain states and the
de-duplication and tone marks of the day's customer messages (`bench.scale`'s records).
Beside the latencies it reports what each request cost in CPU (gunicorn's workers, Redis, the
load generator) and how long the server's threads waited for a core: on a shared machine the
tail is that wait, not the request.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

import psutil

from bench.harness import BIN, ROOT, SECRET, Stack, machine_load
from bench.scale import message_pages, set_up_records
from service.auth import issue_token
from workers.process import apply_records

USERS = 50
WIDGET_GETS = ("GET strain", "GET suggestion", "GET offers")
TRIVIAL = "GET /healthz (trivial)"


def seed(stack: Stack, agents: int, messages: int) -> None:
    apply_records(stack.redis, set_up_records(agents))
    for page in message_pages(agents, messages):
        apply_records(stack.redis, page)


# -- CPU placement and accounting -----------------------------------------------------------
def split_cores() -> tuple[set[int], set[int]] | None:
    """(server cores, load-generator core): the last core for locust, the rest for gunicorn
    and Redis; None on a one-core machine."""
    cores = sorted(os.sched_getaffinity(0))
    return (set(cores[:-1]), {cores[-1]}) if len(cores) > 1 else None


def tasks(pids: list[int]) -> list[int]:
    """Every thread of the processes (sched_setaffinity and schedstat are per thread)."""
    found = []
    for pid in pids:
        try:
            found += [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
        except FileNotFoundError:
            pass
    return found


def pin(pids: list[int], cores: set[int]) -> None:
    """Keep the processes (their threads, and threads they start later) on `cores`."""
    for tid in tasks(pids):
        try:
            os.sched_setaffinity(tid, cores)
        except (ProcessLookupError, PermissionError):
            pass


def prioritise(pids: list[int], niceness: int) -> None:
    """Give the processes' threads `niceness` (negative: ahead of the machine's other work;
    threads started later inherit it). A diagnostic: it shows how much of the tail is other
    processes' CPU, as a dedicated core or a container's CPU request would in production."""
    for tid in tasks(pids):
        try:
            os.setpriority(os.PRIO_PROCESS, tid, niceness)
        except (ProcessLookupError, PermissionError):
            pass


def cpu_and_wait(pids: list[int]) -> tuple[float, float]:
    """CPU seconds run and seconds spent runnable but waiting for a core, summed over every
    thread of the processes (/proc/<pid>/task/<tid>/schedstat)."""
    ran = waited = 0
    for pid in pids:
        for tid in tasks([pid]):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as handle:
                    run_ns, wait_ns, _ = handle.read().split()
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
            ran += int(run_ns)
            waited += int(wait_ns)
    return ran / 1e9, waited / 1e9


def server_pids(stack: Stack) -> dict[str, list[int]]:
    master = stack.processes["gunicorn"].pid
    return {"gunicorn": [master] + [c.pid for c in psutil.Process(master).children()],
            "redis": [stack.redis_server.process.pid]}


# -- the load generator ---------------------------------------------------------------------
def locust(url: str, rate: float, seconds: int, agents: list[str], out: Path,
           env: dict, cores: set[int] | None = None) -> tuple[float, float]:
    """Run locust headless: USERS users, each a Poisson stream of rate / USERS requests a
    second, on `cores` if given. Returns locust's CPU seconds and its seconds spent waiting
    for a core (its measured latencies include that wait)."""
    tokens = Path(f"{out}-tokens.json")
    tokens.write_text(json.dumps({agent: issue_token(SECRET, agent) for agent in agents}))
    env = {**env, "BENCH_TOKENS": str(tokens), "BENCH_RATE": str(rate / USERS)}
    placement = ["taskset", "-c", ",".join(map(str, sorted(cores)))] if cores else []
    log = open(f"{out}-locust.log", "w+")  # noqa: SIM115 - read back below
    with log, subprocess.Popen([*placement, str(BIN / "locust"), "-f",
                                str(ROOT / "bench/locustfile.py"), "--headless",
                                "-u", str(USERS), "-r", str(USERS), "-t", f"{seconds}s",
                                "--host", url, "--csv", str(out), "--only-summary",
                                "--loglevel", "WARNING", "--stop-timeout", "5"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT) as run:
        used = (0.0, 0.0)
        deadline = time.monotonic() + seconds + 120
        while run.poll() is None and time.monotonic() < deadline:
            now = cpu_and_wait([run.pid])
            used = now if now[0] else used  # (0, 0) once the process is gone
            time.sleep(0.5)
        if run.poll() is None:
            run.kill()
        log.seek(0)
        output = log.read()
    if not Path(f"{out}_stats.csv").exists():  # locust exits 1 when any request failed
        raise RuntimeError(f"locust wrote no statistics: {output[-2000:]}")
    return used


def read_stats(out: Path) -> dict[str, dict]:
    """Locust's per-request-name summary: count, failures, p50, p95, p99 (milliseconds)."""
    rows = {}
    with open(f"{out}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {"count": int(row["Request Count"]),
                                 "failures": int(row["Failure Count"]),
                                 "rps": float(row["Requests/s"]),
                                 "p50": float(row["50%"]), "p95": float(row["95%"]),
                                 "p99": float(row["99%"])}
    return rows


# -- one request at a time ------------------------------------------------------------------
def timed_gets(url: str, paths: dict[str, str], token: str, count: int,
               server: list[int] | None = None) -> dict[str, float]:
    """Median latency (ms) of each GET, one at a time with no other load; with the `server`'s
    pids also the server's CPU per GET (ms, under "<name> cpu"), which a busy machine's other
    work hardly changes."""
    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    medians = {}
    for name, path in paths.items():
        session.get(url + path, headers=headers, timeout=30).raise_for_status()  # warm
        times = []
        cpu_before = cpu_and_wait(server)[0] if server else 0.0
        for _ in range(count):
            start = time.perf_counter()
            session.get(url + path, headers=headers, timeout=30).raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
        medians[name] = statistics.median(times)
        if server:
            medians[f"{name} cpu"] = (cpu_and_wait(server)[0] - cpu_before) / count * 1000
    return medians


def one_at_a_time(url: str, agent: str, server: list[int], count: int = 200) -> dict[str, float]:
    """What each widget GET itself costs, with nothing else running: latency and the CPU of
    the server (gunicorn and Redis)."""
    return timed_gets(url, {TRIVIAL: "/healthz",
                            "GET strain": f"/api/v1/agents/{agent}/strain",
                            "GET suggestion": f"/api/v1/agents/{agent}/suggestion",
                            "GET offers": f"/api/v1/agents/{agent}/offers"},
                      issue_token(SECRET, agent), count, server)


def team_views(url: str, count: int = 20) -> dict[str, float]:
    """The team aggregates every signed-in user may read and a lead's overview of Team 0."""
    lead = issue_token(SECRET, "zendesk:0", role="lead", team="Team 0")
    return timed_gets(url, {"GET /api/v1/teams": "/api/v1/teams",
                            "GET /api/v1/teams/Team 0 (lead)": "/api/v1/teams/Team%200"},
                      lead, count)


def run(rate: float, seconds: int, agents: int, messages: int, pinned: bool,
        niceness: int = 0) -> dict:
    with Stack(BREATHER_CLOCK="data") as stack:
        seed(stack, agents, messages)
        url = stack.gunicorn()
        pids = server_pids(stack)
        alone = one_at_a_time(url, "zendesk:1", pids["gunicorn"] + pids["redis"])
        teams = team_views(url)
        cores = split_cores() if pinned else None
        if cores:
            pin(pids["gunicorn"] + pids["redis"], cores[0])
        if niceness:
            prioritise(pids["gunicorn"] + pids["redis"], niceness)
        load = machine_load()
        before = {name: cpu_and_wait(p) for name, p in pids.items()}
        out = stack.folder / "locust"
        locust_cpu, locust_wait = locust(url, rate, seconds,
                                         [f"zendesk:{a}" for a in range(agents)], out,
                                         stack.env, cores[1] if cores else None)
        after = {name: cpu_and_wait(p) for name, p in pids.items()}
        stats = read_stats(out)
        keys = stack.redis.dbsize()
    requests_done = max(stats["Aggregated"]["count"], 1)
    cost = {name: {"cpu_ms": (after[name][0] - before[name][0]) / requests_done * 1000,
                   "wait_ms": (after[name][1] - before[name][1]) / requests_done * 1000}
            for name in pids}
    cost["locust"] = {"cpu_ms": locust_cpu / requests_done * 1000,
                      "wait_ms": locust_wait / requests_done * 1000}
    return {"stats": stats, "load": load, "end_load": machine_load(), "keys": keys,
            "alone": alone, "teams": teams, "cost": cost, "cores": cores, "nice": niceness}


def report(args: argparse.Namespace, result: dict, took: float) -> None:
    cores = result["cores"]
    placement = (f"gunicorn + Redis on cores {sorted(cores[0])}, locust on {sorted(cores[1])}"
                 if cores else "no CPU pinning")
    if result["nice"]:
        placement += f"; server at nice {result['nice']} (diagnostic)"
    print(f"{args.rate:.0f} requests/s offered (Poisson) for {args.seconds} s by {USERS} locust "
          f"users; gunicorn -c deploy/gunicorn.conf.py; {placement}; {args.agents} agents, "
          f"{result['keys']:,} Redis keys; {result['load']} at start, {result['end_load']} "
          f"at the end")
    for name, row in result["stats"].items():
        alone, cpu = result["alone"].get(name), result["alone"].get(f"{name} cpu")
        print(f"  {name:24s} {row['count']:>7,} requests {row['rps']:6.1f}/s  failures "
              f"{row['failures']:>3}  p50 {row['p50']:4.0f}  p95 {row['p95']:4.0f}  p99 "
              f"{row['p99']:4.0f} ms" + (f"  (alone: median {alone:.1f} ms, server CPU "
                                         f"{cpu:.2f} ms)" if alone else ""))
    for name, cost in result["cost"].items():
        print(f"  {name:9s} CPU {cost['cpu_ms']:.2f} ms a request, waiting for a core "
              f"{cost['wait_ms']:.2f} ms a request")
    stats = result["stats"]
    trivial = stats[TRIVIAL]["p99"]
    widget = max(stats[name]["p99"] for name in WIDGET_GETS)
    print(f"widget p99 (worst GET) {widget:.0f} ms = {widget / max(trivial, 1):.1f}x the trivial "
          f"endpoint's p99 ({trivial:.0f} ms); run took {took:.0f} s")
    print("  p99 against /healthz's, each GET: " + ", ".join(
        f"{name.removeprefix('GET ')} {stats[name]['p99'] / max(trivial, 1):.1f}x"
        for name in WIDGET_GETS))
    for name, median in result["teams"].items():
        print(f"  {name:32s} median {median:6.1f} ms one at a time ({args.agents} agents)")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="let locust share every core with the server")
    parser.add_argument("--server-nice", type=int, default=0,
                        help="diagnostic: run gunicorn and Redis at this niceness (e.g. -10, "
                             "needs root) to see what the machine's other work costs the tail")
    args = parser.parse_args(argv)
    started = time.time()
    result = run(args.rate, args.seconds, args.agents, args.messages, args.pin,
                 args.server_nice)
    report(args, result, time.time() - started)
    return result


if __name__ == "__main__":
    main()
