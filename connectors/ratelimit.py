"""Rate limits: the vendor's budget headers (every spelling), Retry-After, and self-throttling.

Breather shares the helpdesk's per-minute budget with every other integration of the account,
so it uses at most `share` of it: once less than (1 - share) is left it pauses until the reset.
Some endpoints have their own, lower limit (Zendesk incremental exports: 10 a minute), which
no header may announce; `EndpointLimiter` keeps to `share` of those in-process.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

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
class EndpointLimiter:
    """At most `share` of `limits[prefix]` requests a minute to paths starting with prefix."""

    limits: dict[str, int]
    share: float = 0.5
    clock: Callable[[], float] = time.monotonic
    _sent: dict[str, deque] = field(default_factory=dict)

    def wait_needed(self, path: str) -> float:
        """Seconds to wait before sending a request to `path` (0 when within the share)."""
        prefix = self._prefix(path)
        if prefix is None:
            return 0.0
        allowed = max(1, int(self.limits[prefix] * self.share))
        sent = self._sent.setdefault(prefix, deque())
        now = self.clock()
        while sent and now - sent[0] >= 60.0:
            sent.popleft()
        return 0.0 if len(sent) < allowed else 60.0 - (now - sent[0])

    def record(self, path: str) -> None:
        prefix = self._prefix(path)
        if prefix is not None:
            self._sent.setdefault(prefix, deque()).append(self.clock())

    def _prefix(self, path: str) -> str | None:
        return next((p for p in self.limits if p in path), None)
