"""RecordDebtorAnswer: the debtor accepts or refuses the simplified procedure within the month."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Actor, Answer, Case
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


@dataclass(frozen=True)
class RecordDebtorAnswer:
    case_id: str
    answer: Answer
    actor: Actor  # the debtor (debtor space) or the commissaire (a paper answer)
    proposed_amount_cents: int | None = None
    proposed_terms: str = ""


async def handle(command: RecordDebtorAnswer, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    decision = cases.record_answer(
        case,
        command.answer,
        command.actor,
        ports.clock.now(),
        proposed_amount_cents=command.proposed_amount_cents,
        proposed_terms=command.proposed_terms,
    )
    return await save(ports, case, decision)
