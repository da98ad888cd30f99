"""A local Creditsafe-Connect-shaped HTTP server, for the client's tests.

A real HTTP server (FastAPI under uvicorn, in a thread, on a free port) that answers
in Connect's documented shapes, with the data of the deterministic local provider
(its directory and evolving credit files, read at the time of a shared clock), and
switches to misbehave: latency, a burst of 5xx, 429 with Retry-After, tokens dropped,
a token lifetime. It counts what it is asked, so tests see what reached it.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ratings.adapters.providers.directory import PROFILES
from ratings.adapters.providers.evolution import MonthState, first_of_month, month_index
from ratings.adapters.providers.local import EVENTS_KEPT_MONTHS, LocalProvider
from ratings.domain.companies import Company
from ratings.domain.credit_file import Trend
from ratings.ports import LIMIT_CHANGED, RATING_CHANGED, SCORE_CHANGED

ACCOUNTS = {"credit.manager@example.com": "s3cret", "second.user@example.com": "an0ther"}
# The rule names and codes the server gives each kind (Connect's example: "Credit Limit Change", "CL").
RULES = {
    LIMIT_CHANGED: ("Credit Limit Change", "CL"),
    RATING_CHANGED: ("International Rating Change", "IR"),
    SCORE_CHANGED: ("International Score Change", "SC"),
}
TRENDS = {Trend.UP: "Up", Trend.FLAT: "Stable", Trend.DOWN: "Down"}


@dataclass
class Switches:
    """What the server does wrong, set by a test (read by the server's thread)."""

    latency_s: float = 0.0
    fail_next: int = 0  # the next N requests (authenticate included) answer `fail_status`
    fail_status: int = 503
    rate_limit_next: int = 0  # the next N requests answer 429 with `retry_after`
    retry_after: str = "1"
    token_lifetime_s: float = 3600.0


@dataclass
class Seen:
    requests: Counter[str] = field(default_factory=Counter)  # by route name
    authentications: int = 0
    refused_tokens: int = 0


class ConnectServer:
    def __init__(self, local: LocalProvider) -> None:
        self.local = local
        self.switches = Switches()
        self.seen = Seen()
        self.accounts = dict(ACCOUNTS)
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (username, expires at, monotonic)
        self._lock = threading.Lock()
        self.app = self._build()
        self._server: uvicorn.Server | None = None
        self.base_url = ""

    # -- controls -----------------------------------------------------------------------

    def drop_tokens(self) -> None:
        """Every token issued so far is refused from now on (401), as after an expiry."""
        with self._lock:
            self._tokens.clear()

    def reset(self) -> None:
        self.switches = Switches()
        self.seen = Seen()
        self.accounts = dict(ACCOUNTS)

    @contextmanager
    def running(self) -> Iterator[ConnectServer]:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="connect-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the local Connect server did not start")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self._server = server
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    # -- the app ------------------------------------------------------------------------

    def _misbehaviour(self, switches: Switches) -> Response | None:
        with self._lock:
            if switches.fail_next > 0:
                switches.fail_next -= 1
                return JSONResponse({"message": "Service unavailable"}, status_code=switches.fail_status)
            if switches.rate_limit_next > 0:
                switches.rate_limit_next -= 1
                return JSONResponse(
                    {"message": "Too many requests"}, status_code=429, headers={"Retry-After": switches.retry_after}
                )
        return None

    def _authorised(self, request: Request, seen: Seen) -> bool:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        with self._lock:
            held = self._tokens.get(token)
            if held is None or held[1] < time.monotonic():
                seen.refused_tokens += 1
                return False
        return True

    def _build(self) -> FastAPI:
        app = FastAPI()
        server = self

        @app.middleware("http")
        async def misbehave(request: Request, call_next: Any) -> Response:
            route = request.url.path.removeprefix("/v1/")
            name = "events" if route.endswith("/events") else route.split("/")[0]
            # A request belongs to the test that sent it: one still sleeping when the next test
            # resets the server misbehaves, and counts, by the switches it arrived under.
            switches, seen = server.switches, server.seen
            request.state.switches, request.state.seen = switches, seen
            seen.requests[name] += 1
            if switches.latency_s:
                await asyncio.sleep(switches.latency_s)
            failure = server._misbehaviour(switches)
            if failure is not None:
                return failure
            if name != "authenticate" and not server._authorised(request, seen):
                return JSONResponse({"error": "Invalid token"}, status_code=401)
            response: Response = await call_next(request)
            return response

        @app.post("/v1/authenticate")
        async def authenticate(request: Request, body: dict[str, Any]) -> Response:
            seen: Seen = request.state.seen
            switches: Switches = request.state.switches
            seen.authentications += 1
            username, password = str(body.get("username", "")), str(body.get("password", ""))
            if not username or server.accounts.get(username) != password:
                return JSONResponse({"message": "Invalid username or password"}, status_code=401)
            token = secrets.token_urlsafe(24)
            with server._lock:
                server._tokens[token] = (username, time.monotonic() + switches.token_lifetime_s)
            return JSONResponse({"token": token})

        @app.get("/v1/companies")
        async def search(countries: str, regNo: str | None = None, name: str | None = None) -> Response:
            country = countries.split(",")[0].strip().upper()
            directory = server.local.directory
            found: list[Company] = []
            if regNo:
                found = [c for c in directory.in_country(country) if c.id.number == regNo.replace(" ", "").upper()]
            elif name:
                found = directory.search_name(country, name)
            if not found:
                return JSONResponse(
                    {
                        "totalSize": 0,
                        "companies": {},
                        "messages": [{"type": "Information", "code": "NoResults", "text": "No results"}],
                    }
                )
            return JSONResponse(
                {
                    "correlationId": secrets.token_hex(8),
                    "totalSize": len(found),
                    "companies": [company(c) for c in found],
                }
            )

        @app.get("/v1/companies/{connect_id}")
        async def report(connect_id: str) -> Response:
            found = server.local.directory.by_provider_id(connect_id)
            if found is None:
                return JSONResponse({"message": "Company not found", "details": connect_id}, status_code=404)
            now = server.local.clock.now()
            walk = server.local.walk(found.id)
            state = walk.at(now)
            previous = walk.state(max(0, state.index - 1))
            return JSONResponse(
                {
                    "correlationId": secrets.token_hex(8),
                    "companyId": connect_id,
                    "dateOfOrder": now.isoformat(),
                    "language": "EN",
                    "report": credit_report(found, state, previous),
                }
            )

        @app.get("/v1/monitoring/companies/{connect_id}/events")
        async def events(connect_id: str, startDate: str | None = None, page: int = 0, pageSize: int = 100) -> Response:
            found = server.local.directory.by_provider_id(connect_id)
            if found is None:
                return JSONResponse({"message": "Company resource not found"}, status_code=404)
            start = datetime.fromisoformat(startDate).replace(tzinfo=UTC) if startDate else None
            now = server.local.clock.now()
            walk = server.local.walk(found.id)
            current = month_index(first_of_month(now))
            items = []
            for index in range(max(1, current - EVENTS_KEPT_MONTHS + 1), current + 1):
                state = walk.state(index)
                if state.changed_at > now or (start is not None and state.changed_at < start):
                    continue
                for event in server.local.events_between(found.id, walk.state(index - 1), state):
                    rule, code = RULES[event.kind]
                    old, new = event.old_value, event.new_value
                    if event.kind == LIMIT_CHANGED:  # Connect's limits are in currency units
                        old, new = str(int(old or 0) // 100), str(int(new or 0) // 100)
                    items.append(
                        {
                            "eventId": int(hashlib.sha256(event.event_id.encode()).hexdigest()[:12], 16),
                            "companyId": connect_id,
                            "portfolioId": 589960,
                            "ruleName": rule,
                            "localEventCode": code,
                            "globalEventCode": code,
                            "oldValue": old,
                            "newValue": new,
                            "eventDate": event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S"),
                            "createdDate": (event.occurred_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
                        }
                    )
            items.reverse()  # newest first, as Connect lists them
            last = max(0, (len(items) - 1) // pageSize)
            chunk = items[page * pageSize : (page + 1) * pageSize]
            return JSONResponse(
                {
                    "correlationId": secrets.token_hex(8),
                    "totalCount": len(items),
                    "data": chunk,
                    "paging": {
                        "size": len(chunk),
                        "prev": page - 1 if page else None,
                        "next": page + 1 if page < last else None,
                        "last": last,
                    },
                }
            )

        return app


def company(found: Company) -> dict[str, Any]:
    address = found.address
    return {
        "id": found.provider_id,
        "country": found.id.country,
        "regNo": found.id.number,
        "safeNo": f"{found.id.country}{found.id.number[-6:]}",
        "idType": "RegistrationNumber",
        "name": found.name,
        "type": "Ltd",
        "officeType": "headOffice",
        "status": "Active",
        "address": {
            "simpleValue": f"{address.lines[0]}, {address.postcode} {address.city}" if address else "",
            "street": address.lines[0].split(" ", 1)[1] if address else "",
            "houseNumber": address.lines[0].split(" ", 1)[0] if address else "",
            "city": address.city if address else "",
            "postalCode": address.postcode if address else "",
            "country": found.id.country,
        },
        "dateOfLatestChange": "2026-01-01T00:00:00Z",
    }


def rating(state: MonthState, currency: str) -> dict[str, Any]:
    return {
        "commonValue": state.rating.value if state.rating.value != "NR" else None,
        "commonDescription": state.rating.description,
        "creditLimit": {"currency": currency, "value": str(state.limit_cents // 100)},
        "providerValue": {"maxValue": "100", "minValue": "0", "value": str(state.score)},
        "providerDescription": state.rating.description,
    }


def credit_report(found: Company, state: MonthState, previous: MonthState) -> dict[str, Any]:
    currency = PROFILES[found.id.country].currency
    current = rating(state, currency)
    return {
        "companyId": found.provider_id,
        "language": "EN",
        "companySummary": {
            "businessName": found.name,
            "country": found.id.country,
            "companyNumber": found.id.number,
            "companyRegistrationNumber": found.id.number,
            "companyStatus": {"status": "Active", "description": "Active"},
            "creditRating": current,
        },
        "creditScore": {
            "currentCreditRating": current,
            "previousCreditRating": rating(previous, currency),
            "latestRatingChangeDate": state.changed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "indicators": [{"type": "fsi", "value": str(state.solvency_index)}],
        "additionalInformation": {
            "trends": {
                "profitability": TRENDS[state.trends.profitability],
                "liquidity": TRENDS[state.trends.liquidity],
                "netWorth": TRENDS[state.trends.net_worth],
                "payment": TRENDS[state.trends.payment],
            }
        },
    }
