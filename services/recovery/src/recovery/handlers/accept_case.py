"""AcceptCase: the assigned office accepts the case."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Case
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


@dataclass(frozen=True)
class AcceptCase:
    case_id: str
    office_id: str  # the office of the commissaire user who accepts


async def handle(command: AcceptCase, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    return await save(ports, case, cases.accept(case, command.office_id, ports.clock.now()))
