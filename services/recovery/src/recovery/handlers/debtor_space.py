"""The debtor's space, opened by the single-use link of a letter (no account needed):
- ViewAsDebtor: the claim, its documents and where the procedure stands, as long as the link is
  live and the procedure runs (amicable, simplified, the debtor's acceptance awaiting its agreement);
- AnswerAsDebtor: accept or refuse the simplified procedure (with, on acceptance, the proposed
  amount and terms), once: the link is used up by the answer, recorded with its time on the case's
  timeline (the commissaire sees it) and published (`DebtorAnswered`)."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Actor, ActorKind, Answer, Case, LinkInvalid, Phase
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts

VISIBLE = frozenset({Phase.AMICABLE, Phase.SIMPLIFIED, Phase.DEBTOR_ACCEPTED})


@dataclass(frozen=True)
class ViewAsDebtor:
    token: str


@dataclass(frozen=True)
class AnswerAsDebtor:
    token: str
    answer: Answer
    proposed_amount_cents: int | None = None
    proposed_terms: str = ""


async def _case_of(ports: RecoveryPorts, token: str) -> Case:
    case_id = await ports.links.case_of(token)
    if case_id is None:
        raise LinkInvalid()
    case = await ports.cases.get(case_id)
    if case.phase not in VISIBLE:
        raise LinkInvalid()  # the procedure ended: the link with it
    return case


async def view(command: ViewAsDebtor, ports: RecoveryPorts) -> Case:
    """The case the link opens (the entrypoint shows the debtor what concerns them only)."""
    return await _case_of(ports, command.token)


async def answer(command: AnswerAsDebtor, ports: RecoveryPorts) -> Case:
    case = await _case_of(ports, command.token)
    decision = cases.record_answer(
        case,
        command.answer,
        Actor(ActorKind.DEBTOR, case.case_id),
        ports.clock.now(),
        proposed_amount_cents=command.proposed_amount_cents,
        proposed_terms=command.proposed_terms,
    )
    saved = await save(ports, case, decision)
    await ports.links.use(command.token)  # the answer is recorded; the phase refuses a second one anyway
    return saved
