"""One exception tree for every helpdesk.

    ConnectorError
    ├── AuthError            401/403: stop this stream, say so once, do not retry
    ├── NotFoundError        404
    └── RetryableError       5xx, timeouts, connection errors
        ├── RateLimited      429 (carries retry_after seconds)
        ├── MalformedResponse  not JSON, an HTML error page, missing or mistyped fields
        └── OutOfTime        a wait would outlast the job's time limit: stop, resume next run
"""

from __future__ import annotations


class ConnectorError(Exception):
    """A helpdesk request failed; the message names the request."""


class AuthError(ConnectorError):
    """Credentials are wrong or lack permission."""


class NotFoundError(ConnectorError):
    """The resource does not exist (or the base URL is wrong)."""


class RetryableError(ConnectorError):
    """Worth trying again later."""


class RateLimited(RetryableError):
    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class MalformedResponse(RetryableError):
    """The response is not what the vendor's API documents."""


class OutOfTime(RetryableError):
    """Waiting longer would pass the job's deadline; what is committed stays, the rest waits."""
