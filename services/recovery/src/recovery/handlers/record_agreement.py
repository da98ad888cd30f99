"""RecordAgreement: the commissaire records the agreement and the enforceable title; the case closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from recovery.domain import cases
from recovery.domain.cases import Case
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


@dataclass(frozen=True)
class RecordAgreement:
    case_id: str
    office_id: str
    amount_cents: int
    payment_terms: str
    title_number: str
    title_date: date


async def handle(command: RecordAgreement, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    decision = cases.record_agreement(
        case,
        command.office_id,
        command.amount_cents,
        command.payment_terms,
        command.title_number,
        command.title_date,
        ports.clock.now(),
    )
    return await save(ports, case, decision)
