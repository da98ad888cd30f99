"""StartAmicable: send an accepted case's plain letter and email now (the acceptance does it at
once; this is for a retry before the next sweep). The 15 days run from its sending."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain.cases import Case, IllegalTransition, LetterKind, Phase
from recovery.handlers import advance_due_deadlines
from recovery.handlers.advance_due_deadlines import AdvanceDueDeadlines, plain_letter_id
from recovery.ports import RecoveryPorts

__all__ = ["StartAmicable", "handle", "plain_letter_id"]


@dataclass(frozen=True)
class StartAmicable:
    case_id: str


async def handle(command: StartAmicable, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    if case.phase is not Phase.ACCEPTED:
        if case.letter(LetterKind.PLAIN) is not None:
            return case  # sent already: nothing to do
        raise IllegalTransition("start the amicable phase of", case.phase)
    advanced = await advance_due_deadlines.handle(AdvanceDueDeadlines(command.case_id), ports)
    return advanced or await ports.cases.get(command.case_id)
