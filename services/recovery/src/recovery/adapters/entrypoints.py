"""The real adapters of what only the entrypoints read (`recovery.api.deps.RecoveryApiPorts`): case
lists, the mandate view, the debtor links' state, the generated documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chassis.tokens import Tokens
from recovery.adapters.links import PURPOSE
from recovery.api.deps import GeneratedDocument, LinkNotValid
from recovery.bus.views import MandateView
from recovery.domain.cases import Case
from recovery.handlers import GenerateInjunctionRequest, dispatch
from recovery.handlers.debtor_space import VISIBLE
from recovery.ports import DocumentKind, RecoveryPorts
from recovery.store.cases import MongoCaseStore
from recovery.store.documents import GridFsDocumentStore


class StoreQueries:
    def __init__(self, store: MongoCaseStore) -> None:
        self._store = store

    async def of_creditor(self, account_id: str, company_id: str | None = None) -> Sequence[Case]:
        if company_id is not None:
            return await self._store.of_company(company_id)
        return await self._store.of_creditor(account_id)

    async def of_office(self, office_id: str) -> Sequence[Case]:
        return await self._store.of_office(office_id)


class MandateCheck:
    def __init__(self, view: MandateView) -> None:
        self._view = view

    async def has_signed_mandate(self, account_id: str) -> bool:
        return await self._view.signed(account_id)


class LinkStates:
    """Why a link fails: unknown, used (the debtor answered), expired (or its procedure is over)."""

    def __init__(self, tokens: Tokens, store: MongoCaseStore, ports: RecoveryPorts) -> None:
        self._tokens = tokens
        self._store = store
        self._ports = ports

    async def case_of(self, token: str) -> str:
        record = await self._tokens.find(PURPOSE, token)
        if record is None:
            raise LinkNotValid("unknown")
        case = await self._store.get(record.subject)
        if record.used_at is not None or case.answer is not None:
            raise LinkNotValid("used")
        if record.expires_at <= self._ports.clock.now() or case.phase not in VISIBLE:
            raise LinkNotValid("expired")
        return record.subject


class StoredGenerated:
    def __init__(self, documents: GridFsDocumentStore, ports: RecoveryPorts) -> None:
        self._documents = documents
        self._ports = ports

    async def _describe(self, document_id: str, kind: str, at: datetime) -> GeneratedDocument | None:
        stored = await self._documents.describe(document_id)
        if stored is None:
            return None
        return GeneratedDocument(
            stored.document_id, DocumentKind(kind), stored.name, stored.media_type, stored.sha256, stored.size, at
        )

    async def of_case(self, case_id: str) -> Sequence[GeneratedDocument]:
        case = await self._ports.cases.get(case_id)
        found = [await self._describe(d.document_id, d.kind, d.at) for d in case.generated]
        return [d for d in found if d is not None]

    async def injunction_request(self, case: Case) -> GeneratedDocument:
        generated = await dispatch(GenerateInjunctionRequest(case.case_id, case.creditor.account_id), self._ports)
        described = await self._describe(generated.document_id, generated.kind, generated.at)
        if described is None:  # pragma: no cover (stored before it was recorded)
            raise KeyError(generated.document_id)
        return described
