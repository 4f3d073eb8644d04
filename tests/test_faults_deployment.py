"""Faults of a real deployment, with real processes: two schedulers and three workers at once,
a worker killed with SIGKILL, Redis killed and restarted. Each ends with every customer message
counted exactly once."""

from __future__ import annotations

import signal
import time

import pytest
import requests
from faults import Deployment, add_tickets, customer_comment_ids, recent_zendesk
from servers import LiveServer


@pytest.fixture
def zendesk():
    vendor = recent_zendesk(tickets=30)
    with LiveServer(vendor) as server:
        vendor.url = server.url
        yield vendor


@pytest.fixture
def deployment(tmp_path, zendesk):
    deployment = Deployment(tmp_path, zendesk.url, BREATHER_POLLER_STALE_SECONDS="8")
    yield deployment
    deployment.close()


def test_two_schedulers_three_workers_count_once_through_a_worker_kill_and_a_redis_restart(
        deployment, zendesk):
    """As an operator would try it: 2 schedulers, 3 workers, one worker SIGKILLed, then Redis
    killed (AOF everysec) and restarted; every process reconnects by itself, /healthz says so,
    and every customer message is counted exactly once."""
    for name in ("scheduler-1", "scheduler-2"):
        deployment.start(name, "scheduler")
    for name in ("worker-1", "worker-2", "worker-3"):
        deployment.start(name, "worker")
    base = deployment.serve()
    expected = customer_comment_ids(zendesk)
    deployment.wait_counted(len(expected))  # two schedulers, three workers: no double count

    deployment.kill("worker-1")
    add_tickets(zendesk, range(30, 40))
    deployment.kill_redis(signal.SIGKILL)
    time.sleep(3)
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 503
    deployment.start_redis()
    add_tickets(zendesk, range(40, 50))
    expected = customer_comment_ids(zendesk)
    deployment.wait_counted(len(expected), timeout=120)
    assert deployment.seen(expected) == expected

    alive = deployment.alive()
    assert alive.pop("worker-1") is False
    assert all(alive.values()), {n: deployment.log(n)[-2000:] for n, up in alive.items() if not up}
    health = requests.get(f"{base}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok", health.text


def test_a_stopped_poller_shows_in_healthz_and_metrics(deployment, zendesk):
    """Schedulers gone, Redis fine: /healthz says "degraded" naming the streams (still 200, so
    probes do not restart a service that serves), breather_poller_up drops to 0; a scheduler
    started again brings both back."""
    deployment.start("scheduler", "scheduler")
    deployment.start("worker", "worker")
    base = deployment.serve()
    deployment.wait_counted(len(customer_comment_ids(zendesk)))
    deployment.kill("scheduler")
    every_stream = ["zendesk/agents", "zendesk/tickets", "zendesk/messages"]
    deployment.wait_for(lambda: requests.get(f"{base}/healthz", timeout=5).json().get(
        "pollers_stopped") == every_stream, 30, "/healthz to report the stopped pollers")
    body = requests.get(f"{base}/healthz", timeout=5)  # 200: the service itself still serves
    assert body.status_code == 200 and body.json()["status"] == "degraded"
    assert "scheduler" in body.json()["error"]
    metrics = requests.get(f"{base}/metrics", timeout=5).text
    assert 'breather_poller_up{source="zendesk",stream="messages"} 0.0' in metrics
    deployment.start("scheduler", "scheduler")
    deployment.wait_for(lambda: requests.get(f"{base}/healthz", timeout=5).json()["status"] ==
                        "ok", 30, "/healthz to recover")
