"""The injunction-to-pay request a creditor may file once the simplified procedure failed (CPC 1405 ff.).

`injunction_request` gathers what the request is prefilled with: the competent court (the debtor's
domicile; the commercial court between traders, CPC 1406), the parties, the claim's amounts in
principal and interest with what was paid, the invoices and proofs, and why the simplified
procedure failed (the debtor's refusal, or no answer within one month of the registered letter).
The document itself is rendered from this by the letters adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from recovery.domain.cases import Answer, Case, Creditor, IllegalTransition, LetterKind, Phase
from recovery.domain.claims import ClaimCause, Debtor, Invoice
from recovery.domain.documents import DocumentRef
from recovery.domain.jurisdiction import InjunctionCourt, injunction_court


@dataclass(frozen=True)
class InjunctionRequest:
    case_id: str
    court: InjunctionCourt
    creditor: Creditor
    debtor: Debtor
    cause: ClaimCause
    invoices: tuple[Invoice, ...]
    principal_cents: int
    interest_cents: int
    paid_cents: int
    balance_cents: int
    documents: tuple[DocumentRef, ...]
    registered_letter_sent_at: datetime | None
    failure: str  # debtor-refused | no-answer-within-one-month
    failure_at: datetime


def injunction_request(case: Case) -> InjunctionRequest:
    """The prefilled request of a case whose injunction is available; IllegalTransition otherwise."""
    if case.phase is not Phase.INJUNCTION_AVAILABLE:
        raise IllegalTransition("request an injunction to pay for", case.phase)
    claim = case.claim
    registered = case.letter(LetterKind.REGISTERED)
    if case.answer is not None and case.answer.answer is Answer.REFUSED:
        failure, failure_at = "debtor-refused", case.answer.at
    else:
        failure, failure_at = "no-answer-within-one-month", case.timeline[-1].at
    return InjunctionRequest(
        case_id=case.case_id,
        court=injunction_court(
            case.department, creditor_is_trader=case.creditor.trader, debtor_is_trader=claim.debtor.trader
        ),
        creditor=case.creditor,
        debtor=claim.debtor,
        cause=claim.cause,
        invoices=claim.invoices,
        principal_cents=claim.principal_cents,
        interest_cents=claim.interest_cents,
        paid_cents=case.paid_cents,
        balance_cents=case.balance_cents,
        documents=case.documents,
        registered_letter_sent_at=registered.sent_at if registered else None,
        failure=failure,
        failure_at=failure_at,
    )
