"""The helpdesk misbehaves while a real deployment polls it: 429 storms with Retry-After,
500/502/503, HTML error pages and malformed JSON, and the token revoked (401) then valid again.
Every customer message is still counted exactly once. (Read timeouts are retried the same way:
tests/test_connectors_http.py::test_a_timeout_is_retried_then_succeeds.)"""

from __future__ import annotations

import pytest
from faults import Deployment, add_tickets, customer_comment_ids, recent_zendesk
from servers import LiveServer


@pytest.fixture
def zendesk():
    vendor = recent_zendesk(tickets=10)
    with LiveServer(vendor) as server:
        vendor.url = server.url
        yield vendor


def test_a_misbehaving_helpdesk_loses_nothing_and_counts_nothing_twice(tmp_path, zendesk):
    deployment = Deployment(tmp_path, zendesk.url, BREATHER_AUTH_PAUSE_SECONDS="2")
    try:
        deployment.start("scheduler", "scheduler")
        deployment.start("worker", "worker")
        deployment.wait_counted(len(customer_comment_ids(zendesk)))

        zendesk.fail("ticket_events", 429, "Too Many Requests", Retry_After="1", times=3)
        zendesk.fail("ticket_events", 503, "<html><h1>503 Service Unavailable</h1></html>",
                     "text/html")
        zendesk.fail("tickets/cursor", 502, "<html>Bad Gateway</html>", "text/html")
        zendesk.fail("tickets/cursor", 500, '{"error": "InternalError"}', "application/json")
        zendesk.fail("ticket_events", 200, "<html><body>Maintenance</body></html>", "text/html")
        zendesk.fail("ticket_events", 200, '{"ticket_events": "not a list"}', "application/json")
        zendesk.fail("ticket_events", 200, '{"ticket_events": [', "application/json")
        add_tickets(zendesk, range(10, 20))
        deployment.wait_counted(len(customer_comment_ids(zendesk)))

        good = zendesk.auth
        zendesk.auth = "Bearer revoked"
        add_tickets(zendesk, range(20, 30))
        deployment.wait_for(lambda: deployment.client().exists(
            "breather:stopped:zendesk:messages"), 30, "the stream to park on a 401")
        zendesk.auth = good
        deployment.wait_counted(len(customer_comment_ids(zendesk)))
        errors = {k.decode(): int(v) for k, v in
                  deployment.client().hgetall("breather:stats:errors").items()}
        assert errors.get("zendesk|messages|auth", 0) >= 1
        assert all(fault.times == 0 for fault in zendesk.faults)  # every fault was served
    finally:
        deployment.close()

