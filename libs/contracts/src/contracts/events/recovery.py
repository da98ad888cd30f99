"""Events owned by recovery: a small-claims case's life, keyed by case id.

Phases and reasons are strings (not enums) so that recovery may add one within a version; consumers
ignore a value they do not know. Money in integer cents, EUR.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from contracts.base import Event, event_type
from contracts.events.common import NotificationRequest, PersonKind

PHASES = (
    "filed, assigned, accepted, amicable, simplified, debtor_accepted, injunction_available, returned, settled, closed"
)


@event_type(owner="recovery", version=1, subject="case_id")
class CaseFiled(Event):
    """A creditor filed a case (principal plus interest at most 5,000.00 EUR, CPCE R125-1)."""

    case_id: str
    creditor_id: str = Field(description="The creditor's account id.")
    company_id: str | None = Field(default=None, description="The company the creditor files for, if any.")
    debtor_kind: PersonKind
    debtor_name: str
    debtor_department: str = Field(description="Department of the debtor's domicile: 01-95, 2A, 2B, 971-978.")
    cause: Literal["contract", "statutory_obligation"]
    principal_cents: int = Field(gt=0)
    interest_cents: int = Field(ge=0)
    currency: Literal["EUR"] = "EUR"
    invoices: int = Field(ge=1)
    documents: int = Field(default=0, ge=0, description="Proof documents attached.")
    filed_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CaseAssigned(Event):
    """The case went to a competent commissaire de justice's office (least-loaded first)."""

    case_id: str
    office_id: str
    court_of_appeal: str
    attempt: int = Field(ge=1, description="1 for the first office asked, 2 after one refusal, ...")
    assigned_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CaseAccepted(Event):
    """The assigned office accepted the case."""

    case_id: str
    office_id: str
    accepted_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CaseRefused(Event):
    """The assigned office refused the case (or let its answer deadline pass); the next competent
    office is asked, or the case returns to the creditor (`CaseReturned`)."""

    case_id: str
    office_id: str
    reason: str
    by_deadline: bool = Field(default=False, description="True when the office did not answer in time.")
    refused_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CaseReturned(Event):
    """No competent office is left: the case goes back to the creditor with the reason."""

    case_id: str
    creditor_id: str
    reason: str
    returned_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CasePhaseChanged(Event):
    """A case moved from one phase to another. Billing charges the creditor's fees on the billable ones."""

    case_id: str
    creditor_id: str
    office_id: str | None = None
    from_phase: str = Field(description=f"One of: {PHASES}.")
    to_phase: str = Field(description=f"One of: {PHASES}.")
    reason: str
    due_at: datetime | None = Field(default=None, description="When the new phase's deadline passes, if it has one.")
    changed_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class LetterIssued(Event):
    """A letter to the debtor was issued: the amicable plain letter or the simplified procedure's
    registered letter with acknowledgement of receipt, each with an email."""

    case_id: str
    creditor_id: str
    office_id: str | None = None
    letter_id: str
    kind: str = Field(description="plain | registered | injunction_request")
    channels: tuple[str, ...] = Field(description="post, email, download")
    issued_at: datetime
    # Added within v1 (optional): the generated document, stored immutable.
    document_id: str | None = Field(default=None, description="The generated PDF's id in recovery's store.")
    sha256: str | None = Field(default=None, description="The generated PDF's SHA-256, hex.")
    tracking_id: str | None = Field(default=None, description="A registered letter's postal tracking id.")


@event_type(owner="recovery", version=1, subject="case_id")
class DebtorAnswered(Event):
    """The debtor accepted or refused the simplified procedure within the month."""

    case_id: str
    answer: Literal["accepted", "refused"]
    recorded_by: str = Field(description="debtor (through the debtor space) | commissaire (a paper answer)")
    proposed_amount_cents: int | None = Field(default=None, gt=0)
    proposed_terms: str = ""
    answered_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CasePaymentRecorded(Event):
    """A payment of the debtor was recorded on a case."""

    case_id: str
    reference: str
    amount_cents: int = Field(gt=0)
    paid_cents: int = Field(gt=0, description="Paid so far, this payment included.")
    balance_cents: int = Field(ge=0)
    currency: Literal["EUR"] = "EUR"
    recorded_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CaseSettled(Event):
    """The debtor paid the claim in full."""

    case_id: str
    creditor_id: str
    paid_cents: int = Field(gt=0)
    currency: Literal["EUR"] = "EUR"
    settled_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class CaseClosed(Event):
    """A case closed: on an agreement (with the enforceable title's number and date), or withdrawn."""

    case_id: str
    creditor_id: str
    reason: str = Field(description="agreement | withdrawn")
    agreed_cents: int | None = Field(default=None, gt=0)
    payment_terms: str = ""
    title_number: str = ""
    title_date: date | None = None
    closed_at: datetime


@event_type(owner="recovery", version=1, subject="case_id")
class FeeIncurred(Event):
    """A billable step of a case happened: its fee is borne by the creditor (CPCE L125-1).

    Billing collects it by SEPA Core direct debit under the creditor's mandate. `fee_id` is the
    fee's idempotency key (the case and its step): a step is charged once however often this is read.
    """

    fee_id: str = Field(description="Idempotency key of the fee: '<case_id>:<step>'.")
    case_id: str
    creditor_id: str = Field(description="The creditor's account id, whose mandate is debited.")
    company_id: str | None = Field(default=None, description="The company the creditor filed for, if any.")
    step: str = Field(
        description="The billable step, e.g. filing, amicable_letter, registered_letter, injunction_request."
    )
    amount_cents: int = Field(gt=0)
    currency: Literal["EUR"] = "EUR"
    incurred_at: datetime


@event_type(owner="recovery", version=1, subject="recipient_id")
class NotificationRequested(NotificationRequest):
    """Recovery asks for a user (a creditor, a commissaire) to be told of something about a case,
    e.g. a case assigned to a commissaire's office. Identity files the `in_app` ones in the mailbox."""
