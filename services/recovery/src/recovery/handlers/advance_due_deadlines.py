"""AdvanceDueDeadlines: claim one case whose deadline has passed and apply its transition.

One case per call, so a sweeper loops until it gets None; each case's transition and its events are
one write, and the claim (a lease in the store) keeps two instances from doing the same case.
"""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Case, Phase
from recovery.handlers.assign_case import next_competent_office
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


def registered_letter_id(case_id: str) -> str:
    return f"{case_id}:registered"


@dataclass(frozen=True)
class AdvanceDueDeadlines:
    pass


async def handle(command: AdvanceDueDeadlines, ports: RecoveryPorts) -> Case | None:
    now = ports.clock.now()
    case = await ports.cases.claim_due(now)
    if case is None:
        return None
    try:
        office = None
        if case.phase is Phase.ASSIGNED:
            office = await next_competent_office(ports, case, refusing=case.office_id or "")
        decision = cases.advance(
            case, now, letter_id=registered_letter_id(case.case_id), next_office=office, policy=ports.policy
        )
        return await save(ports, case, decision)
    except BaseException:
        await ports.cases.release(case.case_id)
        raise
