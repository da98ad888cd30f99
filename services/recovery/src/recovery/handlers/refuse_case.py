"""RefuseCase: the assigned office refuses; the next competent office gets the case, or the creditor."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Case
from recovery.handlers.assign_case import next_competent_office
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


@dataclass(frozen=True)
class RefuseCase:
    case_id: str
    office_id: str
    reason: str


async def handle(command: RefuseCase, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    office = await next_competent_office(ports, case, refusing=command.office_id)
    decision = cases.refuse(case, command.office_id, command.reason, office, ports.clock.now(), ports.policy)
    return await save(ports, case, decision)
