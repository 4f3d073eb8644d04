"""API latency: the widget's GETs at 200 requests a second for a minute under gunicorn
(deploy/gunicorn.conf.py), p50 and p99, beside the trivial /healthz of the same server in the
same run. The load comes from locust, headless (bench/locustfile.py).

Run: .venv/bin/python -m bench.api   (about 90 s; --seconds, --rate, --agents to change)

Redis holds the state a day of work leaves: agents with open tickets, strain states and the
de-duplication and tone marks of the day's customer messages (`bench.scale`'s records).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import time
from pathlib import Path

from bench.harness import BIN, ROOT, SECRET, Stack, machine_load
from bench.scale import message_pages, set_up_records
from service.auth import issue_token
from workers.process import apply_records

USERS = 50


def seed(stack: Stack, agents: int, messages: int) -> None:
    apply_records(stack.redis, set_up_records(agents))
    for page in message_pages(agents, messages):
        apply_records(stack.redis, page)


def locust(url: str, rate: float, seconds: int, agents: list[str], out: Path,
           env: dict) -> None:
    """Run locust headless: USERS users, each at rate / USERS requests a second."""
    tokens = Path(f"{out}-tokens.json")
    tokens.write_text(json.dumps({agent: issue_token(SECRET, agent) for agent in agents}))
    env = {**env, "BENCH_TOKENS": str(tokens), "BENCH_RATE": str(rate / USERS)}
    done = subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench/locustfile.py"),
                           "--headless", "-u", str(USERS), "-r", str(USERS), "-t", f"{seconds}s",
                           "--host", url, "--csv", str(out), "--only-summary",
                           "--loglevel", "WARNING", "--stop-timeout", "5"],
                          cwd=ROOT, env=env, check=False, capture_output=True, text=True,
                          timeout=seconds + 120)
    if not Path(f"{out}_stats.csv").exists():  # locust exits 1 when any request failed
        raise RuntimeError(f"locust wrote no statistics: {done.stderr[-2000:]}")


def read_stats(out: Path) -> dict[str, dict]:
    """Locust's per-request-name summary: count, failures, p50, p99 (milliseconds)."""
    rows = {}
    with open(f"{out}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {"count": int(row["Request Count"]),
                                 "failures": int(row["Failure Count"]),
                                 "rps": float(row["Requests/s"]),
                                 "p50": float(row["50%"]), "p99": float(row["99%"])}
    return rows


def one_at_a_time(url: str, agent: str, count: int = 100) -> dict[str, float]:
    """Median latency (ms) of each GET with no other load: what a request itself costs."""
    import statistics

    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {issue_token(SECRET, agent)}"}
    medians = {}
    for name, path in (("GET /healthz (trivial)", "/healthz"),
                       ("GET strain", f"/api/v1/agents/{agent}/strain"),
                       ("GET suggestion", f"/api/v1/agents/{agent}/suggestion"),
                       ("GET offers", f"/api/v1/agents/{agent}/offers")):
        times = []
        for _ in range(count):
            start = time.perf_counter()
            session.get(url + path, headers=headers, timeout=10).raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
        medians[name] = statistics.median(times)
    return medians


def run(rate: float, seconds: int, agents: int, messages: int) -> dict:
    with Stack(BREATHER_CLOCK="data") as stack:
        seed(stack, agents, messages)
        url = stack.gunicorn()
        alone = one_at_a_time(url, "zendesk:1")
        load = machine_load()
        out = stack.folder / "locust"
        locust(url, rate, seconds, [f"zendesk:{a}" for a in range(agents)], out, stack.env)
        stats = read_stats(out)
        keys = stack.redis.dbsize()
    return {"stats": stats, "load": load, "keys": keys, "alone": alone}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args(argv)
    started = time.time()
    result = run(args.rate, args.seconds, args.agents, args.messages)
    print(f"{args.rate:.0f} requests/s offered for {args.seconds} s by {USERS} locust users; "
          f"gunicorn -c deploy/gunicorn.conf.py (2 workers x 4 threads); {args.agents} agents, "
          f"{result['keys']:,} Redis keys; {result['load']} at start")
    for name, row in result["stats"].items():
        print(f"  {name:28s} {row['count']:>7,} requests {row['rps']:7.1f}/s  "
              f"failures {row['failures']:>4}  p50 {row['p50']:5.0f} ms  p99 {row['p99']:5.0f} ms"
              + (f"  (alone: median {result['alone'][name]:.1f} ms)"
                 if name in result["alone"] else ""))
    stats = result["stats"]
    trivial = stats["GET /healthz (trivial)"]["p99"]
    widget = max(stats[name]["p99"] for name in ("GET strain", "GET suggestion", "GET offers"))
    print(f"widget p99 (worst GET) {widget:.0f} ms = {widget / max(trivial, 1):.1f}x the trivial "
          f"endpoint's p99 ({trivial:.0f} ms); run took {time.time() - started:.0f} s")
    return result


if __name__ == "__main__":
    main()
