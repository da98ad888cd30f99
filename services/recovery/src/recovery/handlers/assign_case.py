"""AssignCase: a filed case goes to the least-loaded competent office, or back to the creditor."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases, jurisdiction
from recovery.domain.cases import Case
from recovery.domain.jurisdiction import Office
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


@dataclass(frozen=True)
class AssignCase:
    case_id: str


async def next_competent_office(ports: RecoveryPorts, case: Case, *, refusing: str = "") -> Office | None:
    """The least-loaded competent office that has not refused the case (nor is `refusing` it now)."""
    offices = await ports.directory.offices_in(case.court_of_appeal)
    loads = await ports.cases.open_cases_by_office([o.office_id for o in offices])
    excluded = {*case.refused_by, refusing} - {""}
    return jurisdiction.next_office(case.department, offices, loads, excluded=excluded)


async def handle(command: AssignCase, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    office = await next_competent_office(ports, case)
    return await save(ports, case, cases.assign(case, office, ports.clock.now(), ports.policy))
