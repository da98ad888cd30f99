"""What a page raises for the web layer to answer: a login page, a 503 page, a 403 page."""

from __future__ import annotations


class LoginRequired(Exception):
    """The page needs a logged-in session (or the session's tokens were refused for good):
    answered by a redirect to `/login?next=<path>`."""

    def __init__(self, next_path: str = "/") -> None:
        super().__init__(next_path)
        self.next_path = next_path


class ServiceUnavailable(Exception):
    """The gateway or a service behind it is down (503/504, or unreachable): a page saying so,
    503 with the Retry-After the gateway gave."""

    def __init__(self, retry_after: str | None = None) -> None:
        super().__init__("service unavailable")
        self.retry_after = retry_after


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token: 403 with a page."""
