"""The HTTP client every connector uses: auth, timeouts, retries, rate-limit budget.

- 429: wait Retry-After (any spelling: seconds or an HTTP date), then retry.
- 5xx, timeouts, connection errors: exponential backoff with full jitter, a few times.
- 401/403: AuthError at once (retrying only burns the shared budget).
- Self-throttling: never use more than `budget_share` of the plan's per-minute budget, read from
  whichever remaining-budget headers the vendor sends.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from connectors.errors import (
    AuthError,
    ConnectorError,
    MalformedResponse,
    NotFoundError,
    RateLimited,
    RetryableError,
)
from connectors.ratelimit import (
    MAX_RETRY_AFTER,
    Budget,
    EndpointLimiter,
    retry_after_seconds,
)

log = logging.getLogger("breather.connectors")


@dataclass
class Client:
    """A session with one helpdesk account."""

    base_url: str
    auth_header: str
    timeout: float = 30.0
    budget_share: float = 0.5
    max_retries: int = 4
    backoff_base: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    requests_made: int = 0
    endpoint_limits: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.budget = Budget(share=self.budget_share)
        self.limiter = EndpointLimiter(self.endpoint_limits, share=self.budget_share)
        self.session.headers.update({"Authorization": self.auth_header,
                                     "Accept": "application/json",
                                     "User-Agent": "breather/0.1 (+helpdesk strain)"})

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else f"{self.base_url}{path_or_url}"

    def get(self, path_or_url: str, params: dict | None = None) -> requests.Response:
        """GET with retries; returns a 2xx response or raises a ConnectorError."""
        url = self.url(path_or_url)
        for attempt in range(self.max_retries + 1):
            self._throttle(url)
            try:
                return self._once(url, params)
            except RateLimited as exc:
                if attempt == self.max_retries:
                    raise
                wait = min(exc.retry_after, MAX_RETRY_AFTER)
                log.warning("%s; waiting %.0fs", exc, wait)
                self.sleep(wait)
            except RetryableError as exc:
                if attempt == self.max_retries:
                    raise
                delay = random.uniform(0, min(60.0, self.backoff_base * 2 ** attempt))
                log.warning("%s; retry %d in %.1fs", exc, attempt + 1, delay)
                self.sleep(delay)
        raise ConnectorError(f"GET {url}: gave up")  # pragma: no cover - loop always returns

    def _throttle(self, url: str) -> None:
        """Pause first if this request would use more than our share of a budget."""
        pause = self.budget.wait_needed()
        if pause > 0:
            log.info("rate budget low (%s of %s left): pausing %.0fs",
                     self.budget.remaining, self.budget.limit, pause)
            self.sleep(pause)
            self.budget.remaining = None
        pause = self.limiter.wait_needed(url)
        if pause > 0:
            log.info("endpoint budget used (%s): pausing %.0fs", url.split("?")[0], pause)
            self.sleep(pause)
        self.limiter.record(url)

    def get_json(self, path_or_url: str, params: dict | None = None,
                 expect: Callable[[object, str], None] | None = None):
        """GET and parse JSON, retrying a malformed body (not JSON, or failing `expect`).

        `expect(data, where)` raises MalformedResponse when the shape is wrong; `where` names
        the request so the log says which one produced it.
        """
        url = self.url(path_or_url)
        for attempt in range(self.max_retries + 1):
            response = self.get(url, params)
            try:
                data = _parse(response)
                if expect is not None:
                    expect(data, f"GET {response.url}")
                return data, response
            except MalformedResponse as error:
                if attempt == self.max_retries:
                    raise
                log.warning("%s; retrying", error)
                self.sleep(random.uniform(0, self.backoff_base * 2 ** attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, params: dict | None) -> requests.Response:
        self.requests_made += 1
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.Timeout as exc:
            raise RetryableError(f"GET {url}: timed out after {self.timeout}s") from exc
        except requests.ConnectionError as exc:
            raise RetryableError(f"GET {url}: cannot connect ({exc.__class__.__name__})") from exc
        self.budget.update(response.headers)
        raise_for_status(response)
        return response


def _parse(response: requests.Response):
    """The JSON body, or MalformedResponse naming the request and showing the start of the body."""
    try:
        return response.json()
    except ValueError:
        snippet = response.text[:120].replace("\n", " ")
        raise MalformedResponse(f"GET {response.url}: not JSON "
                                f"({response.headers.get('Content-Type')}): {snippet!r}") from None


def raise_for_status(response: requests.Response) -> None:
    """Map a vendor's status code onto the exception tree (never assumes a JSON body)."""
    status = response.status_code
    if status < 300:
        return
    where = f"GET {response.url}: HTTP {status}"
    detail = response.text[:200].replace("\n", " ")
    if status == 429:
        raise RateLimited(f"{where} (rate limited)",
                          retry_after_seconds(response.headers.get("Retry-After")))
    if status in (401, 403):
        raise AuthError(f"{where}: credentials rejected or missing permission: {detail}")
    if status == 404:
        raise NotFoundError(f"{where}: not found (is the base URL right?)")
    if status >= 500 or status == 409:
        raise RetryableError(f"{where}: {detail}")
    raise ConnectorError(f"{where}: {detail}")
