"""Jobs that die or fail: a worker SIGKILLed in the middle of a poll job and of a process job,
a process job failing until a foreign value under a Breather key is put right, and failing for
good. Real `breather worker` / `breather scheduler` processes and redis-server; each ends with
every customer message counted exactly once."""

from __future__ import annotations

import time

import pytest
from faults import Deployment, add_tickets, customer_comment_ids, recent_zendesk
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import StartedJobRegistry
from servers import LiveServer

from workers import keys, strain


@pytest.fixture
def zendesk():
    vendor = recent_zendesk(tickets=20)
    with LiveServer(vendor) as server:
        vendor.url = server.url
        yield vendor


@pytest.fixture
def deployment(tmp_path, zendesk):
    deployment = Deployment(tmp_path, zendesk.url)
    yield deployment
    deployment.close()


def started_jobs(deployment: Deployment) -> dict[str, str]:
    """{job id: function name} of the jobs RQ has started and not finished."""
    r = deployment.client()
    found = {}
    for job_id in StartedJobRegistry("breather", connection=r).get_job_ids(cleanup=False):
        try:
            found[job_id] = Job.fetch(job_id, connection=r).func_name
        except Exception:  # noqa: BLE001 - finished between the two reads
            continue
    return found


@pytest.mark.slow
def test_sigkill_in_the_middle_of_a_poll_job_and_of_a_process_job(deployment, zendesk):
    """Two workers are SIGKILLed while one waits on a slow helpdesk answer (poll job) and the
    other applies a page (process job): RQ finds the process job abandoned and its Retry runs it
    again, the poll lock expires and the next poll resumes from the bookmark; counted once."""
    deployment.start("scheduler", "scheduler")
    deployment.start("worker-1", "worker")
    deployment.start("worker-2", "worker")
    deployment.wait_counted(len(customer_comment_ids(zendesk)))

    zendesk.stall("ticket_events", 30)
    add_tickets(zendesk, range(20, 620))  # a big tickets page: its process job takes a while
    deadline = time.monotonic() + 60
    caught: dict[str, str] = {}
    while time.monotonic() < deadline:
        caught = started_jobs(deployment)
        kinds = set(caught.values())
        if {"workers.poll.poll_stream", "workers.process.process_records"} <= kinds:
            break
        time.sleep(0.005)
    deployment.kill("worker-1")
    deployment.kill("worker-2")
    kinds = set(caught.values())
    assert {"workers.poll.poll_stream", "workers.process.process_records"} <= kinds, caught

    deployment.start("worker-3", "worker")
    expected = customer_comment_ids(zendesk)
    deployment.wait_counted(len(expected), timeout=180)
    assert deployment.seen(expected) == expected
    r = deployment.client()
    killed = [j for j, name in caught.items() if name == "workers.process.process_records"]
    deployment.wait_for(lambda: all(finished_or_expired(j, r) for j in killed), 150,
                        "RQ to find the killed process job abandoned and run it again")
    assert deployment.counted() == len(expected)
    assert process_jobs(deployment, "failed") == []  # the abandoned one was run again


def counted_then_broken(deployment: Deployment, zendesk, comment: int, body: str
                        ) -> tuple[set[str], dict]:
    """A scheduler and a worker count every message; then ticket zendesk:100's hash is
    corrupted and a new customer comment arrives on it (its page's process job will fail).
    Returns the ids counted before and the saved hash."""
    deployment.start("scheduler", "scheduler")
    deployment.start("worker", "worker")
    expected = customer_comment_ids(zendesk)
    deployment.wait_counted(len(expected))
    saved = corrupt_ticket(deployment, "zendesk:100")
    zendesk.add_comment(comment, 100, int(time.time()) - 600, author=5000, body=body)
    return expected, saved


def finished_or_expired(job_id: str, r) -> bool:
    """The job finished; or it is gone, which only a finished job is once JOB_RESULT_TTL (60 s)
    has passed (a failed one stays a day, and the caller checks there is none)."""
    try:
        return Job.fetch(job_id, connection=r).get_status() == "finished"
    except NoSuchJobError:
        return True


def corrupt_ticket(deployment: Deployment, ticket: str) -> dict:
    """Put a foreign value (a string) under a ticket's hash; return the hash to restore."""
    r = deployment.client()
    saved = r.hgetall(keys.ticket(ticket))
    r.delete(keys.ticket(ticket))
    r.set(keys.ticket(ticket), "not Breather's")
    return saved


def restore_ticket(deployment: Deployment, ticket: str, saved: dict) -> None:
    r = deployment.client()
    r.delete(keys.ticket(ticket))
    r.hset(keys.ticket(ticket), mapping=saved)


def process_jobs(deployment: Deployment, registry: str) -> list[Job]:
    queue = Queue("breather", connection=deployment.client())
    ids = getattr(queue, f"{registry}_job_registry").get_job_ids()
    jobs = [Job.fetch(j, connection=deployment.client()) for j in ids]
    return [j for j in jobs if j.func_name == "workers.process.process_records"]


def test_a_process_job_that_fails_is_retried_with_intervals_and_counts_once(deployment, zendesk):
    """A message page whose ticket reads fail (a foreign value under breather:ticket:...) is
    retried by RQ's Retry after 1 s, 5 s, 15 s; put right in between, it counts once."""
    expected, saved = counted_then_broken(deployment, zendesk, 99_001, "Still broken!")
    deployment.wait_for(lambda: process_jobs(deployment, "scheduled"), 30,
                        "the failed process job to be scheduled for a retry")
    restore_ticket(deployment, "zendesk:100", saved)
    deployment.wait_counted(len(expected) + 1, timeout=60)
    assert process_jobs(deployment, "failed") == []


@pytest.mark.slow
def test_a_process_job_that_fails_for_good_keeps_ids_not_text_and_is_polled_again(
        deployment, zendesk):
    """After its last retry the failed job holds the records without their text, the streams
    are marked to re-read from the oldest message, and once the value is put right the re-poll
    counts every message exactly once."""
    expected, saved = counted_then_broken(deployment, zendesk, 99_002, "Hello??? Anyone")
    deployment.wait_for(lambda: process_jobs(deployment, "failed"), 150,
                        "the process job to fail after its last retry")
    failed = process_jobs(deployment, "failed")[0]
    records = failed.args[0]
    assert records and all("text" not in record for record in records)
    assert "zendesk:c-99002" in {record["id"] for record in records}
    # the failure callback saves the stripped job, then marks the re-poll: wait for the mark
    deployment.wait_for(lambda: deployment.client().hget(keys.REPOLL, "zendesk|messages")
                        is not None, 45, "the streams to be marked for a re-poll")
    restore_ticket(deployment, "zendesk:100", saved)
    deployment.wait_counted(len(expected) + 1, timeout=60)
    assert deployment.seen({"zendesk:c-99002"}) == {"zendesk:c-99002"}


def open_tickets(deployment: Deployment, agent: str) -> int:
    raw = deployment.client().get(keys.strain(agent))
    return strain.loads(raw).open_tickets if raw else 0


def test_an_assignment_whose_job_fails_after_the_snapshot_counts_once_when_retried(
        deployment, zendesk):
    """A real worker's process job writes a newly assigned ticket's snapshot, then fails on a
    foreign value under the follow-ups key; RQ's Retry runs it again once that is put right,
    and the ticket joins the agent's load exactly once."""
    zendesk.add_agent(8, "Ben", group_id=1)
    deployment.start("scheduler", "scheduler")
    deployment.start("worker", "worker")
    deployment.wait_counted(len(customer_comment_ids(zendesk)))
    deployment.wait_for(lambda: open_tickets(deployment, "zendesk:7") == 20, 30,
                        "the 20 tickets on Ana's load")
    r = deployment.client()
    r.set(keys.FOLLOWUPS, "not Breather's")
    zendesk.add_ticket(200, int(time.time()), assignee=8)
    deployment.wait_for(lambda: process_jobs(deployment, "scheduled"), 30,
                        "the failed process job to be scheduled for a retry")
    assert r.hget(keys.ticket("zendesk:200"), "agent") == b"zendesk:8"  # written, not applied
    assert open_tickets(deployment, "zendesk:8") == 0
    r.delete(keys.FOLLOWUPS)
    deployment.wait_for(lambda: open_tickets(deployment, "zendesk:8") == 1, 30,
                        "the retried job to give Ben the ticket")
    time.sleep(3)  # a few more polls re-read the ticket: nothing may count twice
    assert (open_tickets(deployment, "zendesk:7"), open_tickets(deployment, "zendesk:8")) == (
        20, 1)
    assert process_jobs(deployment, "failed") == []
