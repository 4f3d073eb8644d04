"""Locust user for bench.api and bench.soak: an agent's widget refreshing, plus /healthz.

Each simulated widget asks for its agent's strain, suggestion and offers (the GETs the widget
makes on every refresh) and the trivial /healthz of the same server, as the baseline.
The benchmark writes agent tokens to the JSON file named by BENCH_TOKENS ({agent: token}) and
sets BENCH_RATE (requests a second per user). Nothing of Breather is imported here: locust
puts this folder first on sys.path and patches sockets with gevent.

Arrivals are a Poisson stream, as from many widgets that each refresh on their own timer.
locust's constant_throughput starts every user at the same moment and keeps them in step, so
all users fired together: 50 requests in the same millisecond, four times a second, and the
last of each burst waited for the 49 before it (p50 45 ms at only 20 requests/s, against 3 ms
for the same GETs one by one). FastHttpUser (geventhttpclient) costs the load generator about
half the CPU of HttpUser (requests), CPU it would otherwise take from the server's cores.
"""

from __future__ import annotations

import json
import os
import random
import time

from locust import FastHttpUser, task

with open(os.environ["BENCH_TOKENS"]) as handle:
    TOKENS: dict[str, str] = json.load(handle)
RATE = float(os.environ.get("BENCH_RATE", "4"))


def poisson_throughput(rate: float):
    """A wait_time giving each user a Poisson stream of `rate` task starts a second.

    Start times are drawn ahead (exponential gaps) and each wait runs to the next start, so a
    slow response does not lower the offered rate (as with locust's constant_throughput)
    unless it overruns the next start; a user behind by more than a second skips ahead.
    """

    def wait(user) -> float:
        now = time.monotonic()
        planned = max(getattr(user, "next_start", now), now - 1.0) + random.expovariate(rate)
        user.next_start = planned
        return max(0.0, planned - now)

    return wait


class Widget(FastHttpUser):
    wait_time = poisson_throughput(RATE)

    def on_start(self) -> None:
        self.agent = random.choice(sorted(TOKENS))
        self.headers = {"Authorization": f"Bearer {TOKENS[self.agent]}"}
        self.base = f"/api/v1/agents/{self.agent}"

    @task(2)
    def strain(self) -> None:
        self.client.get(f"{self.base}/strain", headers=self.headers, name="GET strain")

    @task(2)
    def suggestion(self) -> None:
        self.client.get(f"{self.base}/suggestion", headers=self.headers, name="GET suggestion")

    @task(2)
    def offers(self) -> None:
        self.client.get(f"{self.base}/offers", headers=self.headers, name="GET offers")

    @task(2)
    def healthz(self) -> None:
        self.client.get("/healthz", name="GET /healthz (trivial)")
