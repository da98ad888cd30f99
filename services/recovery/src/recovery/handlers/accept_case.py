"""AcceptCase: the assigned office accepts the case; its amicable phase starts at once (the plain
letter rendered, stored, posted, and the debtor emailed). Should the letter fail, the acceptance
stands and the deadline sweep sends the letter (the accepted case is due at once)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Case
from recovery.handlers import advance_due_deadlines
from recovery.handlers.advance_due_deadlines import AdvanceDueDeadlines
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts

log = logging.getLogger("recovery.accept")


@dataclass(frozen=True)
class AcceptCase:
    case_id: str
    office_id: str  # the office of the commissaire user who accepts


async def handle(command: AcceptCase, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    accepted = await save(ports, case, cases.accept(case, command.office_id, ports.clock.now()))
    try:
        advanced = await advance_due_deadlines.handle(AdvanceDueDeadlines(command.case_id), ports)
    except Exception:
        log.exception("the plain letter of case %s failed: the deadline sweep will send it", command.case_id)
        return await ports.cases.get(command.case_id)
    return advanced or accepted
