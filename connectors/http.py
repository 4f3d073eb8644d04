"""The HTTP client every connector uses: auth, timeouts, retries, rate-limit budget.

Retries are urllib3's `Retry`, mounted through a requests `HTTPAdapter`:
- 429 and 503 with Retry-After: wait what the vendor asks (seconds or an HTTP date, capped).
- 5xx, 409, timeouts, connection errors: exponential backoff with full jitter, a few times.
- 401/403: AuthError at once (retrying only burns the shared budget).
What no library does is kept here by hand: never use more than `budget_share` of the plan's
per-minute budget (read from whichever remaining-budget headers the vendor sends), the
per-endpoint limiter, one retry of a body that is not the JSON the API documents, and a
`deadline`: a wait that would outlast the job raises OutOfTime instead of sleeping.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from connectors.errors import (
    AuthError,
    ConnectorError,
    MalformedResponse,
    NotFoundError,
    OutOfTime,
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
TRANSIENT_STATUSES = frozenset({409, 429, *range(500, 600)})
HEARTBEAT_SECONDS = 15.0


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
    deadline: float | None = None  # time.monotonic() by which every wait must have ended
    heartbeat: Callable[[], None] | None = None  # called before each request and during waits

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.budget = Budget(share=self.budget_share)
        self.limiter = EndpointLimiter(self.endpoint_limits, share=self.budget_share)
        adapter = HTTPAdapter(max_retries=_Retry(
            total=self.max_retries, status_forcelist=TRANSIENT_STATUSES,
            allowed_methods=frozenset({"GET"}), raise_on_status=False,
            backoff_factor=self.backoff_base, client=self))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Authorization": self.auth_header,
                                     "Accept": "application/json",
                                     "User-Agent": "breather/0.1 (+helpdesk strain)"})

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else f"{self.base_url}{path_or_url}"

    def pause(self, seconds: float, why: str) -> None:
        """Sleep `seconds`, or raise OutOfTime if that would pass the deadline."""
        if self.deadline is not None and time.monotonic() + seconds > self.deadline:
            raise OutOfTime(f"{why}: waiting {seconds:.0f}s would pass the job's time limit; "
                            "stopping here, the next run resumes from the bookmark")
        if self.heartbeat is None:
            self.sleep(seconds)
            return
        while seconds > 0:  # in slices, so that whoever holds a lock for us can renew it
            self.heartbeat()
            self.sleep(min(seconds, HEARTBEAT_SECONDS))
            seconds -= HEARTBEAT_SECONDS

    def get(self, path_or_url: str, params: dict | None = None) -> requests.Response:
        """GET with retries; returns a 2xx response or raises a ConnectorError."""
        url = self.url(path_or_url)
        self._throttle(url)
        if self.heartbeat is not None:
            self.heartbeat()
        try:
            response = self.session.get(url, params=params, timeout=self._timeout(url))
        except requests.Timeout as exc:
            raise RetryableError(f"GET {url}: timed out after {self.timeout}s") from exc
        except requests.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise RetryableError(f"GET {url}: timed out after {self.timeout}s") from exc
            raise RetryableError(f"GET {url}: cannot connect ({_reason(exc)})") from exc
        finally:
            self.requests_made += 1
        self.budget.update(response.headers)
        raise_for_status(response)
        return response

    def observe(self, status: int) -> None:
        """Show a response urllib3 retried to the session's response hooks (which only see the
        last one), so that hooks counting statuses (workers/stats.py) count every 429 and 5xx."""
        shown = SimpleNamespace(status_code=status)
        for hook in self.session.hooks.get("response", []):
            hook(shown)

    def _timeout(self, url: str) -> float:
        if self.deadline is None:
            return self.timeout
        left = self.deadline - time.monotonic()
        if left <= 1.0:
            raise OutOfTime(f"GET {url}: no time left before the job's time limit")
        return min(self.timeout, left)

    def _throttle(self, url: str) -> None:
        """Pause first if this request would use more than our share of a budget."""
        pause = self.budget.wait_needed()
        if pause > 0:
            log.info("rate budget low (%s of %s left): pausing %.0fs",
                     self.budget.remaining, self.budget.limit, pause)
            self.pause(pause, f"GET {url}: rate budget low")
            self.budget.remaining = None
        pause = self.limiter.wait_needed(url)
        if pause > 0:
            log.info("endpoint budget used (%s): pausing %.0fs", url.split("?")[0], pause)
            self.pause(pause, f"GET {url}: endpoint budget used")
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
                self.pause(random.uniform(0, self.backoff_base * 2 ** attempt), str(error))
        raise AssertionError("unreachable")  # pragma: no cover


class _Retry(Retry):
    """urllib3's Retry, waiting through the Client: Retry-After honoured and capped, full-jitter
    backoff otherwise, the Client's `sleep` (tests record it) and deadline, and a request count.
    """

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def new(self, **kwargs) -> _Retry:
        fresh = super().new(**kwargs)
        fresh.client = self.client
        return fresh

    def increment(self, *args, **kwargs) -> _Retry:
        response = kwargs.get("response")
        if self.client is not None and response is not None:
            self.client.observe(response.status)
        fresh = super().increment(*args, **kwargs)  # raises once the retries are used up
        if self.client is not None:
            self.client.requests_made += 1  # the attempt that failed; Client.get counts the last
        return fresh

    def sleep(self, response=None) -> None:
        last = self.history[-1] if self.history else None
        where = f"GET {last.url}" if last else "GET"
        if response is not None and (response.status == 429 or
                                     response.headers.get("Retry-After")):
            wait = min(retry_after_seconds(response.headers.get("Retry-After")), MAX_RETRY_AFTER)
            log.warning("%s: HTTP %s (rate limited); waiting %.0fs", where, response.status, wait)
        else:
            cap = min(60.0, self.backoff_factor * 2 ** max(0, len(self.history) - 1))
            wait = random.uniform(0, cap)
            cause = f"HTTP {response.status}" if response is not None else (
                last.error.__class__.__name__ if last and last.error else "error")
            log.warning("%s: %s; retry %d in %.1fs", where, cause, len(self.history), wait)
        if self.client is not None:
            self.client.pause(wait, where)
        else:  # pragma: no cover - every Client passes itself
            time.sleep(wait)


def _reason(exc: requests.ConnectionError) -> str:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return (reason or exc).__class__.__name__


def _parse(response: requests.Response):
    """The JSON body, or MalformedResponse naming the request and showing the start of the body.

    orjson first: a page of a thousand ticket events parses several times faster. What it
    refuses (a body not in UTF-8, an integer beyond 64 bits) goes to requests' own decoder,
    which honours the declared charset."""
    if (response.encoding or "utf-8").lower().replace("-", "") == "utf8":
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            pass
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
