"""The HTTP client every connector uses: auth, timeouts, retries, rate-limit budget.

- 429: wait Retry-After (any spelling: seconds or an HTTP date), then retry.
- 5xx, timeouts, connection errors: exponential backoff with full jitter, a few times.
- 401/403: AuthError at once (retrying only burns the shared budget).
- Self-throttling: never use more than `budget_share` of the plan's per-minute budget, read from
  whichever remaining-budget headers the vendor sends.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
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

log = logging.getLogger("breather.connectors")

LIMIT_HEADERS = ("x-rate-limit", "x-ratelimit-total", "ratelimit-limit", "rate-limit",
                 "rate-limit-limit", "x-ratelimit-limit")
REMAINING_HEADERS = ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining",
                     "rate-limit-remaining")
RESET_HEADERS = ("ratelimit-reset", "rate-limit-reset", "x-rate-limit-reset", "x-ratelimit-reset")
MAX_PAUSE = 60.0
MAX_RETRY_AFTER = 300.0
_NUMBER = re.compile(r"\d+(\.\d+)?")


def header_number(headers, names: tuple[str, ...]) -> float | None:
    """The first numeric value among the given header names, case-insensitively.

    Also reads the structured form `ratelimit: limit=700, remaining=12, reset=30`.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in names:
        value = lowered.get(name)
        if value is not None:
            match = _NUMBER.search(value)
            if match:
                return float(match.group(0))
    structured = lowered.get("ratelimit")
    if structured:
        key = names[0].rsplit("-", 1)[-1]
        match = re.search(rf"{key}=(\d+)", structured)
        if match:
            return float(match.group(1))
    return None


def retry_after_seconds(value: str | None, default: float = 60.0) -> float:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return default


@dataclass
class Budget:
    """What the vendor says is left of this minute's requests, and our share of it."""

    share: float = 0.5
    limit: float | None = None
    remaining: float | None = None
    reset: float | None = None

    def update(self, headers) -> None:
        self.limit = header_number(headers, LIMIT_HEADERS) or self.limit
        remaining = header_number(headers, REMAINING_HEADERS)
        if remaining is not None:
            self.remaining = remaining
        self.reset = header_number(headers, RESET_HEADERS)

    def wait_needed(self) -> float:
        """Seconds to pause so that we leave (1 - share) of the budget to everyone else."""
        if self.limit is None or self.remaining is None:
            return 0.0
        if self.remaining > self.limit * (1.0 - self.share):
            return 0.0
        wait = self.reset if self.reset is not None else 60.0 - time.time() % 60
        return min(max(wait, 1.0), MAX_PAUSE)

    def left(self) -> int | None:
        """Requests left this minute, as last reported by the vendor."""
        return None if self.remaining is None else int(self.remaining)


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

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.budget = Budget(share=self.budget_share)
        self.session.headers.update({"Authorization": self.auth_header,
                                     "Accept": "application/json",
                                     "User-Agent": "breather/0.1 (+helpdesk strain)"})

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else f"{self.base_url}{path_or_url}"

    def get(self, path_or_url: str, params: dict | None = None) -> requests.Response:
        """GET with retries; returns a 2xx response or raises a ConnectorError."""
        url = self.url(path_or_url)
        for attempt in range(self.max_retries + 1):
            pause = self.budget.wait_needed()
            if pause > 0:
                log.info("rate budget low (%s of %s left): pausing %.0fs",
                         self.budget.remaining, self.budget.limit, pause)
                self.sleep(pause)
                self.budget.remaining = None
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
