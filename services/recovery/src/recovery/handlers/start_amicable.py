"""StartAmicable: the plain letter and its email went to the debtor; the 15 days run from its sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from recovery.domain import cases
from recovery.domain.cases import Case
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


def plain_letter_id(case_id: str) -> str:
    return f"{case_id}:plain"


@dataclass(frozen=True)
class StartAmicable:
    case_id: str
    sent_at: datetime | None = None  # when the plain letter was posted; now when not given


async def handle(command: StartAmicable, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    now = ports.clock.now()
    sent_at = command.sent_at or now
    decision = cases.start_amicable(case, plain_letter_id(case.case_id), sent_at, now, ports.policy)
    return await save(ports, case, decision)
