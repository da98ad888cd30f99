"""RecordPayment: a payment of the debtor; paid in full, the case is settled."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Actor, Case
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


@dataclass(frozen=True)
class RecordPayment:
    case_id: str
    reference: str  # the payment's own reference: the same one twice is recorded once
    amount_cents: int
    actor: Actor


async def handle(command: RecordPayment, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    decision = cases.record_payment(case, command.reference, command.amount_cents, command.actor, ports.clock.now())
    return await save(ports, case, decision)
