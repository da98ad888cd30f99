"""What recovery's routes are given, and who may call them.

- `PortsDep`: the `RecoveryPorts` the app wired (`app.state.recovery`), the same the handlers use.
- `ApiPortsDep`: what only the entrypoints need (`app.state.recovery_api`, a `RecoveryApiPorts`):
  reading lists of cases, the local mandate and rights views, the debtor links and the generated
  documents. The app builds it from its adapters; the API tests from in-memory fakes.
- `CommissaireDep`: a caller with role `commissaire` and an `office_id` claim (identity's support
  creates these accounts). Anyone else gets 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Protocol

from fastapi import Depends, Request

from chassis.auth import Caller, CurrentCaller
from chassis.errors import Forbidden
from contracts import Right
from recovery.domain.cases import Case
from recovery.ports import DocumentKind, RecoveryPorts

COMMISSAIRE_ROLE = "commissaire"


class CaseQueries(Protocol):
    """Lists of cases, newest first (reads only: no handler needs them)."""

    async def of_creditor(self, account_id: str, company_id: str | None = None) -> Sequence[Case]:
        """The cases an account filed; with `company_id`, the cases filed for that company by anyone."""
        ...

    async def of_office(self, office_id: str) -> Sequence[Case]:
        """The cases assigned to an office or accepted by it (refused ones are gone to the next)."""
        ...


class MandateView(Protocol):
    """Recovery's local view of billing's mandate events (MandateSigned, MandateRevoked, MandateRefused)."""

    async def has_signed_mandate(self, account_id: str) -> bool: ...


class RightsCheck(Protocol):
    """The part of `chassis.rights.RightsView` the routes use (teams' rights, kept locally)."""

    async def may(self, company_id: str, member_id: str, right: Right) -> bool: ...


class LinkNotValid(Exception):
    """The debtor's link is unknown, expired (its procedure is over) or used (the debtor answered)."""

    def __init__(self, reason: str) -> None:  # unknown | expired | used
        super().__init__(reason)
        self.reason = reason


class DebtorLinks(Protocol):
    """The single-use links the letters and emails carry to the debtor space."""

    async def case_of(self, token: str) -> str:
        """The case id a valid link opens; LinkNotValid otherwise."""
        ...


@dataclass(frozen=True)
class GeneratedDocument:
    document_id: str
    kind: DocumentKind
    name: str
    media_type: str
    sha256: str
    size: int
    created_at: datetime


class GeneratedDocuments(Protocol):
    """The documents recovery generated for a case (letters, the injunction request), immutable."""

    async def of_case(self, case_id: str) -> Sequence[GeneratedDocument]: ...

    async def injunction_request(self, case: Case) -> GeneratedDocument:
        """Generate (once: the same document again afterwards) the injunction-to-pay request of a case
        whose injunction is available; IllegalTransition otherwise."""
        ...


@dataclass(frozen=True)
class RecoveryApiPorts:
    queries: CaseQueries
    mandates: MandateView
    rights: RightsCheck
    debtor_links: DebtorLinks
    generated: GeneratedDocuments


def get_ports(request: Request) -> RecoveryPorts:
    ports: RecoveryPorts = request.app.state.recovery
    return ports


def get_api_ports(request: Request) -> RecoveryApiPorts:
    ports: RecoveryApiPorts = request.app.state.recovery_api
    return ports


PortsDep = Annotated[RecoveryPorts, Depends(get_ports)]
ApiPortsDep = Annotated[RecoveryApiPorts, Depends(get_api_ports)]


@dataclass(frozen=True)
class Commissaire:
    account_id: str
    office_id: str


def current_commissaire(caller: CurrentCaller) -> Commissaire:
    office_id = caller.claims.get("office_id")
    if not caller.has_role(COMMISSAIRE_ROLE) or not isinstance(office_id, str) or not office_id:
        raise Forbidden("these routes are for commissaires de justice bound to an office", code="commissaire-only")
    return Commissaire(caller.account_id, office_id)


CommissaireDep = Annotated[Commissaire, Depends(current_commissaire)]

__all__ = [
    "COMMISSAIRE_ROLE",
    "ApiPortsDep",
    "Caller",
    "CaseQueries",
    "Commissaire",
    "CommissaireDep",
    "DebtorLinks",
    "GeneratedDocument",
    "GeneratedDocuments",
    "LinkNotValid",
    "MandateView",
    "PortsDep",
    "RecoveryApiPorts",
    "RightsCheck",
    "current_commissaire",
    "get_api_ports",
    "get_ports",
]
