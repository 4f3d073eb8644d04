"""Locust user for bench.api and bench.soak: an agent's widget refreshing, plus /healthz.

Each simulated widget asks for its agent's strain, suggestion and offers (the GETs the widget
makes on every refresh) and the trivial /healthz of the same server, as the baseline.
The benchmark writes agent tokens to the JSON file named by BENCH_TOKENS ({agent: token}) and
sets BENCH_RATE (requests a second per user). Nothing of Breather is imported here: locust
puts this folder first on sys.path and patches sockets with gevent.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, constant_throughput, task

with open(os.environ["BENCH_TOKENS"]) as handle:
    TOKENS: dict[str, str] = json.load(handle)
RATE = float(os.environ.get("BENCH_RATE", "4"))


class Widget(HttpUser):
    wait_time = constant_throughput(RATE)

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
