"""AdvanceDueDeadlines: claim one case whose deadline has passed and apply its transition.

One case per call, so a sweeper loops until it gets None; each case's transition and its events are
one write, and the claim (a lease in the store) keeps two instances from doing the same case.
The transitions and what they send:
- accepted (due at once): the plain letter, posted and emailed -> amicable;
- assigned: the office did not answer in time -> the next office (or back to the creditor);
- amicable: no payment 15 days after the plain letter -> the registered letter, posted and emailed;
- simplified: no answer one month after the registered letter -> injunction available.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from recovery.domain import cases
from recovery.domain.cases import Case, Phase
from recovery.handlers import paper
from recovery.handlers.assign_case import next_competent_office
from recovery.handlers.base import save
from recovery.ports import DocumentKind, RecoveryPorts, StaleCase

log = logging.getLogger("recovery.deadlines")
RETRY_AFTER = timedelta(minutes=5)  # a failed transition's next attempt


def registered_letter_id(case_id: str) -> str:
    return f"{case_id}.registered"


def plain_letter_id(case_id: str) -> str:
    return f"{case_id}.plain"


@dataclass(frozen=True)
class AdvanceDueDeadlines:
    case_id: str | None = None  # one case only (made due at once by its handler), else any due case


async def _transition(ports: RecoveryPorts, case: Case, now: datetime) -> Case:
    policy = ports.policy
    if case.phase is Phase.ACCEPTED:
        letter_id = plain_letter_id(case.case_id)
        draft = cases.start_amicable(case, letter_id, now, now, policy)
        sent = await paper.send_letter(
            ports, DocumentKind.AMICABLE_LETTER, draft.case, letter_id, now,
            paper.link_lifetime(draft.case, policy.answer_months),
        )  # fmt: skip
        sent_at = min(sent.receipt.posted_at, now) if sent.receipt else now
        decision = cases.start_amicable(case, letter_id, sent_at, now, policy, document=sent.document)
        return await save(ports, case, decision, [sent.mail] if sent.mail else [])
    if case.phase is Phase.AMICABLE:
        letter_id = registered_letter_id(case.case_id)
        draft = cases.advance(case, now, letter_id=letter_id, policy=policy)
        sent = await paper.send_letter(
            ports, DocumentKind.REGISTERED_LETTER, draft.case, letter_id, now,
            paper.link_lifetime(draft.case, policy.answer_months),
        )  # fmt: skip
        tracking = sent.receipt.tracking_id if sent.receipt else None
        decision = cases.advance(
            case, now, letter_id=letter_id, policy=policy, document=sent.document, tracking_id=tracking
        )
        return await save(ports, case, decision, [sent.mail] if sent.mail else [])
    office = None
    if case.phase is Phase.ASSIGNED:
        office = await next_competent_office(ports, case, refusing=case.office_id or "")
    decision = cases.advance(case, now, next_office=office, policy=policy)
    return await save(ports, case, decision)


async def handle(command: AdvanceDueDeadlines, ports: RecoveryPorts) -> Case | None:
    now = ports.clock.now()
    case = await ports.cases.claim_due(now, command.case_id)
    if case is None:
        return None
    try:
        return await _transition(ports, case, now)
    except StaleCase:
        await ports.cases.release(case.case_id)  # changed meanwhile: the next sweep looks again
        raise
    except Exception:
        # This case's transition failed (a letter, the renderer): retried later, not at once, so
        # that it does not hold up the other due cases.
        await ports.cases.release(case.case_id, retry_at=now + RETRY_AFTER)
        raise
    except BaseException:
        await ports.cases.release(case.case_id)
        raise
