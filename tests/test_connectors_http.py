"""The shared HTTP client: retries, backoff, timeouts, Retry-After forms, budgets."""

from __future__ import annotations

import email.utils
import time

import pytest
from servers import LiveServer
from vendors import FakeZendesk

from connectors.errors import AuthError, MalformedResponse, NotFoundError, RetryableError
from connectors.http import Client
from connectors.ratelimit import Budget, EndpointLimiter, header_number, retry_after_seconds
from connectors.zendesk import auth_header

AUTH = auth_header("ops@example.com", "secret", None)


@pytest.fixture
def vendor():
    fake = FakeZendesk()
    with LiveServer(fake) as server:
        fake.url = server.url
        yield fake


def client_for(vendor, **options) -> Client:
    waits: list[float] = []
    options.setdefault("sleep", waits.append)
    client = Client(vendor.url, AUTH, **options)
    client.waits = waits
    return client


def test_a_timeout_is_retried_then_succeeds(vendor):
    vendor.fail("groups", 200, "{}", "application/json", delay=1.0)
    client = client_for(vendor, timeout=0.3)
    data, _ = client.get_json("/api/v2/groups.json")
    assert data["groups"][0]["name"] == "Billing"
    assert len(client.waits) == 1 and client.requests_made == 2


def test_a_server_that_keeps_failing_raises_after_bounded_backoff(vendor):
    vendor.fail("groups", 502, "<html>Bad gateway</html>", "text/html", times=10)
    client = client_for(vendor, max_retries=4)
    with pytest.raises(RetryableError, match="HTTP 502"):
        client.get("/api/v2/groups.json")
    assert client.requests_made == 5
    caps = [0.5 * 2 ** attempt for attempt in range(4)]
    assert all(0 <= wait <= cap for wait, cap in zip(client.waits, caps, strict=True))


def test_connection_refused_is_retryable_and_names_the_url():
    client = Client("http://127.0.0.1:9", AUTH, sleep=lambda s: None, max_retries=1)
    with pytest.raises(RetryableError, match="127.0.0.1:9.*cannot connect"):
        client.get("/api/v2/groups.json")


def test_403_is_an_auth_error_and_404_says_check_the_url(vendor):
    vendor.fail("groups", 403, "Forbidden")
    client = client_for(vendor)
    with pytest.raises(AuthError, match="403"):
        client.get("/api/v2/groups.json")
    with pytest.raises(NotFoundError, match="base URL"):
        client.get("/api/v2/nothing.json")
    assert client.waits == []


def test_retry_after_as_seconds_or_http_date():
    assert retry_after_seconds("12") == 12.0
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_seconds(future) <= 31
    assert retry_after_seconds(None) == 60.0 and retry_after_seconds("soon") == 60.0


def test_a_huge_retry_after_is_capped(vendor):
    vendor.fail("groups", 429, "slow down", Retry_After="86400")
    client = client_for(vendor)
    client.get("/api/v2/groups.json")
    assert client.waits == [300.0]


def test_budget_headers_in_every_form():
    assert header_number({"X-RATE-LIMIT-REMAINING": "12"}, ("x-rate-limit-remaining",)) == 12
    structured = {"RateLimit": "limit=700, remaining=30, reset=12"}
    budget = Budget(share=0.5)
    budget.update(structured)
    assert (budget.limit, budget.remaining, budget.reset) == (700, 30, 12)
    assert budget.wait_needed() == 12


def test_endpoint_limiter_keeps_to_its_share_of_a_per_minute_limit():
    now = [1000.0]
    limiter = EndpointLimiter({"/incremental/": 10}, share=0.5, clock=lambda: now[0])
    for _ in range(5):
        assert limiter.wait_needed("/api/v2/incremental/tickets") == 0
        limiter.record("/api/v2/incremental/tickets")
    assert limiter.wait_needed("/api/v2/incremental/x") == 60.0
    assert limiter.wait_needed("/api/v2/users.json") == 0  # other endpoints are not limited
    now[0] += 61
    assert limiter.wait_needed("/api/v2/incremental/x") == 0


def test_a_backfill_pauses_before_exceeding_the_export_share(vendor):
    """Zendesk exports allow 10 requests a minute: with a 50% share the 6th waits."""
    from connectors.zendesk import ZendeskClient

    waits: list[float] = []
    zendesk = ZendeskClient(vendor.url, "ops@example.com", "secret", sleep=waits.append)
    for _ in range(6):
        zendesk.http.get_json("/api/v2/incremental/ticket_events.json",
                              {"start_time": 1, "include": "comment_events"})
    assert len(waits) == 1 and 55 < waits[0] <= 60


def test_json_bodies_in_utf8_latin1_and_with_huge_integers_all_parse(vendor):
    """orjson reads the usual UTF-8 body; a declared Latin-1 charset and an integer beyond 64
    bits go to requests' decoder instead of failing or being misread."""
    client = client_for(vendor)
    vendor.fail("groups", 200, '{"groups": [{"id": 1, "name": "Kündigung"}]}',
                "application/json; charset=utf-8")
    assert client.get_json("/api/v2/groups.json")[0]["groups"][0]["name"] == "Kündigung"
    vendor.fail("groups", 200, '{"groups": [{"id": 2, "name": "Ärger"}]}'.encode("latin-1"),
                "application/json; charset=iso-8859-1")
    assert client.get_json("/api/v2/groups.json")[0]["groups"][0]["name"] == "Ärger"
    vendor.fail("groups", 200, '{"groups": [{"id": 36893488147419103232, "name": "x"}]}',
                "application/json")
    assert client.get_json("/api/v2/groups.json")[0]["groups"][0]["id"] == 2 ** 65


def test_a_body_that_is_not_json_names_the_request(vendor):
    vendor.fail("groups", 200, "<html>maintenance</html>", "application/json", times=3)
    with pytest.raises(MalformedResponse, match="groups.json.*not JSON.*maintenance"):
        client_for(vendor, max_retries=2).get_json("/api/v2/groups.json")
