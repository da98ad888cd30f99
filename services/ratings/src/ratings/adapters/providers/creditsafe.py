"""The HTTP client of a Creditsafe-Connect-shaped API, behind `ratings.ports.CreditProvider`.

One client per process, over one `httpx.AsyncClient` (its pool), for every user:

- **Token**: `POST /authenticate` with the user's username and password gives a token
  valid an hour. It is cached per account (a hash of username and password, in memory
  only) and renewed `renew_margin_s` before it expires; concurrent callers of one account
  wait for a single renewal. A 401 on a call means the provider dropped the token: the
  client authenticates again once and repeats the call.
- **Timeouts**: connect and read timeouts from settings on every request.
- **Retries**: 5xx answers, timeouts and connection errors are retried up to
  `retry_attempts` in all, with exponential backoff and jitter (tenacity); then
  `ProviderUnavailable`.
- **429**: the call waits the answer's `Retry-After` (seconds or an HTTP date) and tries
  again, as long as the waits of this call stay within `rate_limit_budget_s`; beyond,
  `ProviderRateLimited` with the provider's `retry_after_s`, for the caller to honour.
- **Circuit breaker** (purgatory): `breaker_threshold` calls in a row that end
  unavailable open the circuit; while open, calls answer `ProviderUnavailable` (with the
  time left) without reaching the provider; after `breaker_ttl_s` the next call probes
  (half-open): success closes it, failure opens it again. Refused accounts, unknown
  companies, bad requests and rate limits do not count: the provider answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.messages.base import Event
from purgatory.domain.messages.events import ContextChanged
from purgatory.domain.model import OpenedState
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from chassis.clock import Clock, SystemClock
from ratings.adapters.providers import connect_shapes as shapes
from ratings.adapters.providers.criteria import search_criteria
from ratings.adapters.providers.evolution import first_of_month, month_index, month_of
from ratings.domain.companies import Company, CompanyId
from ratings.domain.credit_file import CreditFile
from ratings.domain.errors import RuleViolations, Violation
from ratings.ports import (
    CompanyUnknown,
    HistoryPoint,
    InvalidCredentials,
    ProviderCredentials,
    ProviderError,
    ProviderEvent,
    ProviderRateLimited,
    ProviderUnavailable,
)
from ratings.settings import RatingsSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
CIRCUIT = "creditsafe-connect"
DEFAULT_RETRY_AFTER_S = 1.0
SEARCH_PAGE_SIZE = 50
MAX_EVENT_PAGES = 50


@dataclass(frozen=True)
class ClientConfig:
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 15.0
    retry_attempts: int = 3
    retry_backoff_s: float = 0.2
    retry_backoff_max_s: float = 2.0
    rate_limit_budget_s: float = 10.0
    breaker_threshold: int = 5
    breaker_ttl_s: float = 30.0
    token_ttl_s: float = 3600.0
    renew_margin_s: float = 300.0
    page_url: str | None = "https://app.creditsafe.com/companies/{connect_id}"
    events_page_size: int = 100

    def __post_init__(self) -> None:
        if self.page_url:
            try:
                self.page_url.format(connect_id="FR-X-0")
            except (KeyError, IndexError, ValueError) as error:
                raise ValueError(f"the provider page URL {self.page_url!r} takes only {{connect_id}}") from error

    @classmethod
    def from_settings(cls, settings: RatingsSettings) -> ClientConfig:
        return cls(
            connect_timeout_s=settings.provider_connect_timeout_s,
            read_timeout_s=settings.provider_read_timeout_s,
            retry_attempts=settings.provider_retry_attempts,
            retry_backoff_s=settings.provider_retry_backoff_s,
            retry_backoff_max_s=settings.provider_retry_backoff_max_s,
            rate_limit_budget_s=settings.provider_rate_limit_budget_s,
            breaker_threshold=settings.provider_breaker_threshold,
            breaker_ttl_s=settings.provider_breaker_ttl_s,
            token_ttl_s=settings.provider_token_ttl_s,
            renew_margin_s=settings.provider_token_renew_margin_s,
            page_url=settings.provider_page_url or None,
        )


class _ServerError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


@dataclass
class _Token:
    value: str
    expires_at: datetime


@dataclass
class _Budget:
    """What is left of one call's time to wait for 429s."""

    remaining_s: float


def _counts_as_failure(error: BaseException) -> bool:
    """Only unavailability opens the circuit; an answer (refusal, 404, 429) does not."""
    return isinstance(error, ProviderUnavailable) and not isinstance(error, ProviderRateLimited)


def _log_circuit(name: str, kind: str, event: Event) -> None:
    """The circuit's changes of state in the log: opened (calls stop), half-opened, closed."""
    if kind == "state_changed" and isinstance(event, ContextChanged):
        level = logging.WARNING if event.state == "opened" else logging.INFO
        log.log(level, "provider circuit %s %s", name, event.state)


def _account_key(credentials: ProviderCredentials) -> str:
    return hashlib.sha256(f"{credentials.username}\0{credentials.password}".encode()).hexdigest()


class CreditsafeClient:
    """`CreditProvider` over HTTP (see the module's text for its behaviour)."""

    name = "creditsafe"

    def __init__(
        self,
        base_url: str,
        config: ClientConfig | None = None,
        *,
        clock: Clock | None = None,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config or ClientConfig()
        self._clock = clock or SystemClock()
        self._sleep = sleep
        timeout = httpx.Timeout(self.config.read_timeout_s, connect=self.config.connect_timeout_s)
        self._http = http or httpx.AsyncClient(base_url=base_url.rstrip("/") + "/", timeout=timeout)
        self._owns_http = http is None
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=self.config.breaker_threshold,
            default_ttl=self.config.breaker_ttl_s,
            exclude=[(BaseException, lambda error: not _counts_as_failure(error))],
        )
        self._breakers.add_listener(_log_circuit)
        self._tokens: dict[str, _Token] = {}
        self._token_locks: dict[str, asyncio.Lock] = {}
        self._connect_ids: dict[CompanyId, str] = {}

    @classmethod
    def from_settings(cls, settings: RatingsSettings, *, clock: Clock | None = None) -> CreditsafeClient:
        return cls(settings.provider_base_url, ClientConfig.from_settings(settings), clock=clock)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- the port -------------------------------------------------------------------------

    async def authenticate(self, credentials: ProviderCredentials) -> None:
        async def login() -> None:
            await self._token(credentials, fresh=True, budget=self._budget())

        await self._guarded(login)

    async def search(
        self, credentials: ProviderCredentials, *, country: str, number: str | None = None, name: str | None = None
    ) -> Sequence[Company]:
        criteria = search_criteria(country, number, name)
        params: dict[str, str | int] = {"countries": criteria.country, "pageSize": SEARCH_PAGE_SIZE}
        if criteria.company is not None:
            params["regNo"] = criteria.company.number
        if criteria.name is not None:
            params["name"] = criteria.name
        return await self._guarded(lambda: self._search(credentials, params))

    async def credit_report(self, credentials: ProviderCredentials, company: CompanyId) -> CreditFile:
        async def report() -> CreditFile:
            connect_id = await self._connect_id(credentials, company)
            response = await self._call(credentials, "GET", f"companies/{connect_id}", params={"language": "en"})
            if response.status_code == 404:
                raise CompanyUnknown(f"the provider has no report for {company.key}")
            body = self._json(self._checked(response))
            page = self.config.page_url.format(connect_id=connect_id) if self.config.page_url else None
            return shapes.credit_file_from(
                body, company=company, provider=self.name, page_url=page, synchronised_at=self._clock.now()
            )

        return await self._guarded(report)

    async def history(
        self, credentials: ProviderCredentials, company: CompanyId, *, months: int
    ) -> Sequence[HistoryPoint]:
        """Connect serves no monthly series: the months are rebuilt from the current report and
        the monitoring events' old values (score and limit changes), newest first."""
        if months < 1:
            raise RuleViolations([Violation("bad-months", "months", "at least one month")])
        now = self._clock.now()
        current = month_index(first_of_month(now))
        indexes = list(range(current - months + 1, current + 1))
        starts = [datetime.combine(month_of(i), datetime.min.time(), UTC) for i in indexes]
        ends = [*starts[1:], now]
        file = await self.credit_report(credentials, company)
        events = await self.events_since(credentials, company, starts[0])
        limit = file.credit_limit
        values = shapes.history_points(file.national_score, limit.cents if limit else None, events, ends)
        currency = limit.currency if limit else ""
        return [
            HistoryPoint(month_of(i), score, cents, currency) for i, (score, cents) in zip(indexes, values, strict=True)
        ]

    async def events_since(
        self, credentials: ProviderCredentials, company: CompanyId, since: datetime | None
    ) -> Sequence[ProviderEvent]:
        async def events() -> list[ProviderEvent]:
            connect_id = await self._connect_id(credentials, company)
            found: list[ProviderEvent] = []
            page: int | None = 0
            while page is not None and page < MAX_EVENT_PAGES:
                params: dict[str, str | int] = {"page": page, "pageSize": self.config.events_page_size}
                if since is not None:
                    params["startDate"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
                response = await self._call(
                    credentials, "GET", f"monitoring/companies/{connect_id}/events", params=params
                )
                if response.status_code in (204, 404):
                    break
                body = self._json(self._checked(response))
                found.extend(shapes.events_from(body, company))
                page = shapes.next_page(body, page)
            unique = {e.event_id: e for e in found if since is None or e.occurred_at > since}
            return sorted(unique.values(), key=lambda e: (e.occurred_at, e.event_id))

        return await self._guarded(events)

    # -- companies and their Connect ids -----------------------------------------------------

    async def _search(self, credentials: ProviderCredentials, params: Mapping[str, str | int]) -> list[Company]:
        response = await self._call(credentials, "GET", "companies", params=params)
        if response.status_code == 404:
            return []
        companies = shapes.companies_from(self._json(self._checked(response)))
        for company in companies:
            if company.provider_id:
                self._connect_ids[company.id] = company.provider_id
        return companies

    async def _connect_id(self, credentials: ProviderCredentials, company: CompanyId) -> str:
        known = self._connect_ids.get(company)
        if known:
            return known
        params: dict[str, str | int] = {"countries": company.country, "regNo": company.number}
        params["pageSize"] = SEARCH_PAGE_SIZE
        for found in await self._search(credentials, params):
            if found.id == company and found.provider_id:
                return found.provider_id
        raise CompanyUnknown(f"the provider knows no company {company.key}")

    # -- the circuit ------------------------------------------------------------------------

    async def _guarded(self, operation: Callable[[], Awaitable[T]]) -> T:
        breaker = await self._breakers.get_breaker(CIRCUIT)
        try:
            async with breaker:
                return await operation()
        except OpenedState as opened:
            left = max(0.0, opened.opened_at + self.config.breaker_ttl_s - time.time())
            raise ProviderUnavailable(
                f"the provider failed {self.config.breaker_threshold} times in a row: not called for {left:.0f}s",
                retry_after_s=left,
            ) from None

    # -- tokens -----------------------------------------------------------------------------

    def _budget(self) -> _Budget:
        return _Budget(self.config.rate_limit_budget_s)

    async def _token(
        self, credentials: ProviderCredentials, *, budget: _Budget, fresh: bool = False, stale: str | None = None
    ) -> str:
        key = _account_key(credentials)
        lock = self._token_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(key)
            renew_at = cached.expires_at - timedelta(seconds=self.config.renew_margin_s) if cached else None
            if cached and not fresh and cached.value != stale and renew_at and self._clock.now() < renew_at:
                return cached.value
            self._tokens.pop(key, None)
            value = await self._login(credentials, budget)
            self._tokens[key] = _Token(value, self._clock.now() + timedelta(seconds=self.config.token_ttl_s))
            return value

    async def _login(self, credentials: ProviderCredentials, budget: _Budget) -> str:
        if not credentials.username or not credentials.password:
            raise InvalidCredentials("a provider account needs a username and a password")
        body = {"username": credentials.username, "password": credentials.password}
        response = await self._exchange("POST", "authenticate", budget=budget, json=body)
        if response.status_code in (400, 401, 403):
            raise InvalidCredentials("the provider refused this username and password")
        token = self._json(self._checked(response)).get("token")
        if not isinstance(token, str) or not token:
            raise ProviderError("the provider's authentication answered no token")
        return token

    # -- one call: token, 401, 429, retries -------------------------------------------------

    async def _call(
        self, credentials: ProviderCredentials, method: str, path: str, *, params: Mapping[str, str | int]
    ) -> httpx.Response:
        budget = self._budget()
        token = await self._token(credentials, budget=budget)
        response = await self._exchange(method, path, budget=budget, params=params, token=token)
        if response.status_code == 401:
            log.info("provider token refused on %s: authenticating again", path)
            token = await self._token(credentials, budget=budget, stale=token)
            response = await self._exchange(method, path, budget=budget, params=params, token=token)
            if response.status_code == 401:
                raise ProviderError("the provider refused a token it had just issued")
        return response

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        budget: _Budget,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        while True:
            response = await self._with_retries(method, path, params=params, json=json, headers=headers)
            if response.status_code != 429:
                return response
            wait = self._retry_after(response) or DEFAULT_RETRY_AFTER_S
            if wait > budget.remaining_s:
                raise ProviderRateLimited(
                    f"the provider limits the rate of calls: retry in {wait:.0f}s", retry_after_s=wait
                )
            budget.remaining_s -= wait
            await self._sleep(wait)

    async def _with_retries(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None,
        json: Any,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        config = self.config
        retrying = AsyncRetrying(
            stop=stop_after_attempt(config.retry_attempts),
            wait=wait_exponential_jitter(
                multiplier=config.retry_backoff_s, max=config.retry_backoff_max_s, jitter=config.retry_backoff_s
            ),
            retry=retry_if_exception_type((httpx.TransportError, _ServerError)),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self._http.request(method, path, params=params, json=json, headers=headers)
                    if response.status_code >= 500:
                        raise _ServerError(response)
                    return response
        except _ServerError as error:
            raise ProviderUnavailable(
                f"the provider answered {error.response.status_code} {config.retry_attempts} times",
                retry_after_s=self._retry_after(error.response),
            ) from None
        except httpx.TimeoutException:
            raise ProviderUnavailable(f"the provider did not answer in time ({config.retry_attempts} tries)") from None
        except httpx.TransportError as error:
            raise ProviderUnavailable(f"the provider is unreachable: {type(error).__name__}") from None
        raise AssertionError("tenacity stops by raising")  # pragma: no cover

    def _retry_after(self, response: httpx.Response) -> float | None:
        raw = response.headers.get("Retry-After", "").strip()
        if not raw:
            return None
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self._clock.now()).total_seconds())

    # -- answers ----------------------------------------------------------------------------

    @staticmethod
    def _checked(response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        detail = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                detail = str(body.get("details") or body.get("message") or body.get("error") or "")
        except ValueError:
            pass
        if response.status_code == 403:
            raise ProviderError(f"the provider refuses this account access here (403){': ' + detail if detail else ''}")
        raise ProviderError(
            f"the provider refused the request ({response.status_code}){': ' + detail if detail else ''}"
        )

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise ProviderError("the provider's answer is not JSON") from None
        if not isinstance(body, dict):
            raise ProviderError("the provider's answer is not a JSON object")
        return body
