"""`breather evidence` on the sandbox: a day of the simulated org, agents answering offers.

`python docs/samples/evidence_on_sandbox.py [--seconds 150]` (needs nothing but this checkout).
The sandbox plays a day at 600x; after every sync the agents' widgets ask for a suggestion and
the simulated agents answer at random (seeded): accept half, decline a third, ignore the rest;
an accepted break ends 15 minutes later. The sandbox keeps sending tickets to agents on a
break, and the only effect of a break is the strain model's own faster decay, so this shows the
pipeline working, not evidence that breaks help.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

from rq import Queue, SimpleWorker
from werkzeug.serving import make_server

import sandbox
from workers import agents, strain
from workers.clock import current_time
from workers.embedded import start_embedded_redis
from workers.poll import sync_once
from workers.settings import Settings, ZendeskConfig
from workers.suggestion_store import answer, apply_events, current_suggestion


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def agents_answer(r, settings, rng: random.Random, breaks: dict) -> None:
    now = current_time(r, settings.clock)
    for agent, ends in list(breaks.items()):
        if now >= ends:
            apply_events(r, agent, [strain.Event("break_end", now, agent)])
            del breaks[agent]
    for agent in agents.agent_ids(r):
        offer = current_suggestion(r, agent, now)
        if offer is None or offer["kind"] not in ("break", "cool_down"):
            continue
        roll = rng.random()
        if roll < 0.5:
            answer(r, agent, offer["id"], "accept", now)
            breaks[agent] = now + 15 * 60
        elif roll < 0.83:
            answer(r, agent, offer["id"], "decline", now)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=150.0)
    args = parser.parse_args()
    redis_server = start_embedded_redis(tempfile.mkdtemp(prefix="breather-evidence-"))
    helpdesk = serve(sandbox.create_app(speed=600.0, seed=7, history_hours=26.0,
                                        backlog_hours=2.0))
    try:
        import redis as redis_lib

        r = redis_lib.Redis.from_url(redis_server.url)
        settings = Settings(clock="data", min_group_size=3, zendesk=ZendeskConfig(
            base_url=f"http://127.0.0.1:{helpdesk.server_port}/zendesk",
            email="ops@example.com", token="sandbox"))
        rng, breaks = random.Random(11), {}
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            sync_once(settings, r)
            SimpleWorker([Queue(settings.queue_name, connection=r)], connection=r).work(
                burst=True, logging_level="WARNING")
            agents_answer(r, settings, rng, breaks)
        env = {**os.environ, "REDIS_URL": redis_server.url, "BREATHER_CLOCK": "data",
               "BREATHER_MIN_GROUP_SIZE": "3"}
        for extra in ([], ["--json"]):
            subprocess.run([sys.executable, "-m", "service.cli", "evidence", *extra], env=env,
                           check=True)
    finally:
        helpdesk.shutdown()
        redis_server.stop()


if __name__ == "__main__":
    main()
