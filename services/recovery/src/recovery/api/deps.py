"""What recovery's routes are given, and who may call them.

- `PortsDep`: the `RecoveryPorts` the app wired (`app.state.recovery`), the same the handlers use.
- `ApiPortsDep`: what only the entrypoints need (`app.state.recovery_api`, a `RecoveryApiPorts`):
  the lists of cases. The app builds it from its store; the API tests from in-memory fakes.
- `CommissaireDep`: a caller with role `commissaire` and an `office_id` claim (identity's support
  creates these accounts). Anyone else gets 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request

from chassis.auth import Caller, CurrentCaller
from chassis.errors import Forbidden
from recovery.domain.cases import Case
from recovery.ports import RecoveryPorts

COMMISSAIRE_ROLE = "commissaire"


class CaseQueries(Protocol):
    """Lists of cases, newest first (reads only: no handler needs them; `MongoCaseStore` has them)."""

    async def of_creditor(self, account_id: str) -> Sequence[Case]:
        """The cases an account filed."""
        ...

    async def of_company(self, company_id: str) -> Sequence[Case]:
        """The cases filed for a company, by any of its members."""
        ...

    async def of_office(self, office_id: str) -> Sequence[Case]:
        """The cases assigned to an office or accepted by it (refused ones went to the next)."""
        ...


@dataclass(frozen=True)
class RecoveryApiPorts:
    """What only the entrypoints read (the handlers' ports are `RecoveryPorts`)."""

    queries: CaseQueries


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
    "PortsDep",
    "RecoveryApiPorts",
    "current_commissaire",
    "get_api_ports",
    "get_ports",
]
