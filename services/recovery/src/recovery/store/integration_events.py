"""Domain events -> integration events (`contracts.events.recovery`): the one place they translate.

The store adapter calls `to_contract` for each domain event a transition produced and writes the
result to the outbox in the same write as the case.
"""

from __future__ import annotations

from contracts.base import Event
from contracts.events import recovery as contracts
from contracts.events.common import PersonKind
from recovery.domain import events as ev


def to_contract(event: ev.DomainEvent) -> Event:
    match event:
        case ev.CaseFiled():
            return contracts.CaseFiled(
                case_id=event.case_id,
                creditor_id=event.creditor_id,
                company_id=event.company_id,
                debtor_kind=PersonKind(event.debtor_kind),
                debtor_name=event.debtor_name,
                debtor_department=event.debtor_department,
                cause=event.cause,
                principal_cents=event.principal_cents,
                interest_cents=event.interest_cents,
                invoices=event.invoices,
                documents=event.documents,
                filed_at=event.at,
            )
        case ev.CaseAssigned():
            return contracts.CaseAssigned(
                case_id=event.case_id,
                office_id=event.office_id,
                court_of_appeal=event.court_of_appeal,
                attempt=event.attempt,
                assigned_at=event.at,
            )
        case ev.CaseAccepted():
            return contracts.CaseAccepted(case_id=event.case_id, office_id=event.office_id, accepted_at=event.at)
        case ev.CaseRefused():
            return contracts.CaseRefused(
                case_id=event.case_id,
                office_id=event.office_id,
                reason=event.reason,
                by_deadline=event.by_deadline,
                refused_at=event.at,
            )
        case ev.CaseReturned():
            return contracts.CaseReturned(
                case_id=event.case_id, creditor_id=event.creditor_id, reason=event.reason, returned_at=event.at
            )
        case ev.CasePhaseChanged():
            return contracts.CasePhaseChanged(
                case_id=event.case_id,
                creditor_id=event.creditor_id,
                office_id=event.office_id,
                from_phase=event.from_phase,
                to_phase=event.to_phase,
                reason=event.reason,
                due_at=event.due_at,
                changed_at=event.at,
            )
        case ev.LetterIssued():
            return contracts.LetterIssued(
                case_id=event.case_id,
                creditor_id=event.creditor_id,
                office_id=event.office_id,
                letter_id=event.letter_id,
                kind=event.kind,
                channels=event.channels,
                document_id=event.document_id or None,
                sha256=event.sha256 or None,
                tracking_id=event.tracking_id,
                issued_at=event.at,
            )
        case ev.DebtorAnswered():
            return contracts.DebtorAnswered(
                case_id=event.case_id,
                answer=event.answer,
                recorded_by=event.recorded_by,
                proposed_amount_cents=event.proposed_amount_cents,
                proposed_terms=event.proposed_terms,
                answered_at=event.at,
            )
        case ev.PaymentRecorded():
            return contracts.CasePaymentRecorded(
                case_id=event.case_id,
                reference=event.reference,
                amount_cents=event.amount_cents,
                paid_cents=event.paid_cents,
                balance_cents=event.balance_cents,
                recorded_at=event.at,
            )
        case ev.CaseSettled():
            return contracts.CaseSettled(
                case_id=event.case_id, creditor_id=event.creditor_id, paid_cents=event.paid_cents, settled_at=event.at
            )
        case ev.CaseClosed():
            return contracts.CaseClosed(
                case_id=event.case_id,
                creditor_id=event.creditor_id,
                reason=event.reason,
                agreed_cents=event.agreed_cents,
                payment_terms=event.payment_terms,
                title_number=event.title_number,
                title_date=event.title_date,
                closed_at=event.at,
            )
        case ev.FeeIncurred():
            return contracts.FeeIncurred(
                fee_id=event.fee_id,
                case_id=event.case_id,
                creditor_id=event.creditor_id,
                company_id=event.company_id,
                step=event.step,
                amount_cents=event.amount_cents,
                incurred_at=event.at,
            )
