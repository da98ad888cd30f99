"""FileCase: a creditor files a claim against a debtor."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Case, CaseError, Creditor
from recovery.domain.claims import ClaimInput, accept_claim
from recovery.domain.deadlines import local_day
from recovery.ports import CaseNotFound, RecoveryPorts

FILING_DEPARTMENT = "75"  # the filing day is the platform's day, in metropolitan time


@dataclass(frozen=True)
class FileCase:
    case_id: str  # chosen by the caller: filing twice with the same id files once
    creditor: Creditor
    claim: ClaimInput


async def handle(command: FileCase, ports: RecoveryPorts) -> Case:
    try:
        existing = await ports.cases.get(command.case_id)
    except CaseNotFound:
        pass
    else:
        if existing.creditor != command.creditor:
            raise CaseError("case-id-taken", f"case id {command.case_id} is taken")
        return existing
    now = ports.clock.now()
    claim = accept_claim(command.claim, local_day(now, FILING_DEPARTMENT))
    decision = cases.file_case(command.case_id, command.creditor, claim, now)
    await ports.cases.add(decision.case, decision.events)
    return decision.case
