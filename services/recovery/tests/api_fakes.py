"""The API's own in-memory port (lists of cases) and an app around the handlers' fakes, for the API
tests: the routes, their problems and their OpenAPI, without a broker or a database."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, Request

from chassis.auth import Caller, current_caller
from chassis.errors import Unauthorized, install_problem_handlers
from chassis.httpguard import BodySizeLimitMiddleware
from recovery.api import DOCUMENT_PATHS, routers
from recovery.api.deps import RecoveryApiPorts
from recovery.domain.cases import Case
from recovery.ports import RecoveryPorts
from services.recovery.tests.fakes import FakeCaseStore


class FakeQueries:
    def __init__(self, store: FakeCaseStore) -> None:
        self.store = store

    def _newest_first(self, cases: list[Case]) -> list[Case]:
        return sorted(cases, key=lambda c: c.filed_at, reverse=True)

    async def of_creditor(self, account_id: str) -> Sequence[Case]:
        return self._newest_first([c for c in self.store.cases.values() if c.creditor.account_id == account_id])

    async def of_company(self, company_id: str) -> Sequence[Case]:
        return self._newest_first([c for c in self.store.cases.values() if c.creditor.company_id == company_id])

    async def of_office(self, office_id: str) -> Sequence[Case]:
        return self._newest_first([c for c in self.store.cases.values() if c.office_id == office_id])


def forged_caller(request: Request) -> Caller:
    """`Authorization: Test <account>[;role=...][;office_id=...]`: unit tests forge the caller."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme != "Test" or not value:
        raise Unauthorized("missing bearer token")
    account, *pairs = value.split(";")
    claims: dict[str, object] = {"sub": account}
    roles: list[str] = []
    for pair in pairs:
        key, _, item = pair.partition("=")
        if key == "role":
            roles.append(item)
        else:
            claims[key] = item
    claims["roles"] = roles
    return Caller(account_id=account, email=None, roles=tuple(roles), claims=claims)


def api_app(ports: RecoveryPorts, store: FakeCaseStore, *, max_document_bytes: int = 12 * 1024 * 1024) -> FastAPI:
    """recovery's routers as app.py mounts them, on fakes, the caller forged."""
    app = FastAPI()
    install_problem_handlers(app)
    limits = dict.fromkeys(DOCUMENT_PATHS, max_document_bytes)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=1024 * 1024, per_path=limits)
    for router in routers:
        app.include_router(router)
    app.dependency_overrides[current_caller] = forged_caller
    app.state.recovery = ports
    app.state.recovery_api = RecoveryApiPorts(queries=FakeQueries(store))
    return app
