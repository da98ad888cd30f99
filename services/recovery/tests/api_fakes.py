"""In-memory fakes of the API's own ports (`recovery.api.deps`), and an app around them, for the
API tests: the routes, their problems and their OpenAPI, without a broker or a database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from fastapi import FastAPI, Request

from chassis.auth import Caller, current_caller
from chassis.errors import Unauthorized, install_problem_handlers
from chassis.httpguard import BodySizeLimitMiddleware
from contracts import Right
from recovery.api import DOCUMENT_PATHS, routers
from recovery.api.deps import GeneratedDocument, LinkNotValid, RecoveryApiPorts
from recovery.domain.cases import FINAL, Case, Phase
from recovery.domain.injunction import injunction_request
from recovery.ports import DocumentKind, RecoveryPorts
from services.recovery.tests.conftest import CREDITOR as KNOWN_CREDITOR
from services.recovery.tests.fakes import FakeCaseStore, FakeCreditors, SignedIn

INJUNCTION_PDF = b"%PDF-1.7\n% requete en injonction de payer\n%%EOF\n"


class FakeQueries:
    def __init__(self, store: FakeCaseStore) -> None:
        self.store = store

    async def of_creditor(self, account_id: str, company_id: str | None = None) -> Sequence[Case]:
        cases = self.store.cases.values()
        if company_id is not None:
            chosen = [c for c in cases if c.creditor.company_id == company_id]
        else:
            chosen = [c for c in cases if c.creditor.account_id == account_id]
        return sorted(chosen, key=lambda c: c.filed_at, reverse=True)

    async def of_office(self, office_id: str) -> Sequence[Case]:
        chosen = [c for c in self.store.cases.values() if c.office_id == office_id]
        return sorted(chosen, key=lambda c: c.filed_at, reverse=True)


@dataclass
class FakeMandates:
    signed: set[str] = field(default_factory=set)

    async def has_signed_mandate(self, account_id: str) -> bool:
        return account_id in self.signed


@dataclass
class FakeRights:
    granted: set[tuple[str, str, Right]] = field(default_factory=set)

    async def may(self, company_id: str, member_id: str, right: Right) -> bool:
        return (company_id, member_id, right) in self.granted


class FakeDebtorLinks:
    """A link opens its case while the debtor may answer; answered: used; the procedure over: expired."""

    def __init__(self, store: FakeCaseStore) -> None:
        self.store = store
        self.tokens: dict[str, str] = {}

    def issue(self, case_id: str) -> str:
        token = f"debtor-link-{case_id}-{len(self.tokens):04d}"
        self.tokens[token] = case_id
        return token

    async def case_of(self, token: str) -> str:
        case_id = self.tokens.get(token)
        if case_id is None:
            raise LinkNotValid("unknown")
        case = self.store.cases[case_id]
        if case.answer is not None:
            raise LinkNotValid("used")
        if case.phase in FINAL or case.phase is Phase.INJUNCTION_AVAILABLE:
            raise LinkNotValid("expired")
        return case_id


class FakeGenerated:
    def __init__(self, ports: RecoveryPorts) -> None:
        self.ports = ports
        self.by_case: dict[str, list[GeneratedDocument]] = {}

    async def add(self, case_id: str, kind: DocumentKind, content: bytes) -> GeneratedDocument:
        stored = await self.ports.documents.put(content, media_type="application/pdf", name=f"{kind.value}.pdf")
        document = GeneratedDocument(
            stored.document_id, kind, stored.name, stored.media_type, stored.sha256, stored.size, self.ports.clock.now()
        )
        self.by_case.setdefault(case_id, []).append(document)
        return document

    async def of_case(self, case_id: str) -> Sequence[GeneratedDocument]:
        return list(self.by_case.get(case_id, ()))

    async def injunction_request(self, case: Case) -> GeneratedDocument:
        injunction_request(case)  # IllegalTransition unless the injunction is available
        for document in self.by_case.get(case.case_id, ()):
            if document.kind is DocumentKind.INJUNCTION_REQUEST:
                return document
        return await self.add(case.case_id, DocumentKind.INJUNCTION_REQUEST, INJUNCTION_PDF)


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


@dataclass
class ApiWorld:
    app: FastAPI
    ports: RecoveryPorts
    store: FakeCaseStore
    mandates: FakeMandates
    rights: FakeRights
    links: FakeDebtorLinks
    generated: FakeGenerated


def api_world(ports: RecoveryPorts, store: FakeCaseStore, *, max_document_bytes: int = 12 * 1024 * 1024) -> ApiWorld:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=1024 * 1024, per_path=dict.fromkeys(DOCUMENT_PATHS, max_document_bytes)
    )
    for router in routers:
        app.include_router(router)
    app.dependency_overrides[current_caller] = forged_caller
    mandates, rights = FakeMandates(), FakeRights()
    # The handlers check the mandate and the right too (rec-core): on the same fakes as the routes.
    ports = replace(ports, mandates=SignedIn(mandates), rights=rights, creditors=FakeCreditors(anyone=KNOWN_CREDITOR))
    world = ApiWorld(app, ports, store, mandates, rights, FakeDebtorLinks(store), FakeGenerated(ports))
    app.state.recovery = ports
    app.state.recovery_api = RecoveryApiPorts(
        queries=FakeQueries(store),
        mandates=world.mandates,
        rights=world.rights,
        debtor_links=world.links,
        generated=world.generated,
    )
    return world
