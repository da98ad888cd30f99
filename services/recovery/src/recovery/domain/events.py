"""Recovery's domain events: facts a transition of a case produced.

Internal to the service; `recovery.store.integration_events` translates each into its integration event of
`contracts.events.recovery` (one place), which the store writes to the outbox with the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CaseFiled:
    case_id: str
    at: datetime
    creditor_id: str
    company_id: str | None
    debtor_kind: str
    debtor_name: str
    debtor_department: str
    cause: str
    principal_cents: int
    interest_cents: int
    invoices: int
    documents: int


@dataclass(frozen=True)
class CaseAssigned:
    case_id: str
    at: datetime
    office_id: str
    court_of_appeal: str
    attempt: int  # 1 for the first office asked


@dataclass(frozen=True)
class CaseAccepted:
    case_id: str
    at: datetime
    office_id: str


@dataclass(frozen=True)
class CaseRefused:
    case_id: str
    at: datetime
    office_id: str
    reason: str
    by_deadline: bool  # the office let its answer deadline pass


@dataclass(frozen=True)
class CaseReturned:
    case_id: str
    at: datetime
    creditor_id: str
    reason: str


@dataclass(frozen=True)
class CasePhaseChanged:
    case_id: str
    at: datetime
    creditor_id: str
    office_id: str | None
    from_phase: str
    to_phase: str
    reason: str
    due_at: datetime | None


@dataclass(frozen=True)
class LetterIssued:
    case_id: str
    at: datetime
    creditor_id: str
    office_id: str | None
    letter_id: str
    kind: str  # plain | registered | injunction_request
    channels: tuple[str, ...]  # post, email, download
    document_id: str = ""
    sha256: str = ""
    tracking_id: str | None = None


@dataclass(frozen=True)
class DebtorAnswered:
    case_id: str
    at: datetime
    answer: str  # accepted | refused
    recorded_by: str  # debtor | commissaire
    proposed_amount_cents: int | None
    proposed_terms: str


@dataclass(frozen=True)
class PaymentRecorded:
    case_id: str
    at: datetime
    reference: str
    amount_cents: int
    paid_cents: int
    balance_cents: int


@dataclass(frozen=True)
class CaseSettled:
    case_id: str
    at: datetime
    creditor_id: str
    paid_cents: int


@dataclass(frozen=True)
class CaseClosed:
    case_id: str
    at: datetime
    creditor_id: str
    reason: str  # agreement | withdrawn
    agreed_cents: int | None = None
    payment_terms: str = ""
    title_number: str = ""
    title_date: date | None = None


@dataclass(frozen=True)
class FeeIncurred:
    case_id: str
    at: datetime
    fee_id: str  # <case_id>:<step>, the fee's idempotency key
    creditor_id: str
    company_id: str | None
    step: str
    amount_cents: int


DomainEvent = (
    CaseFiled
    | CaseAssigned
    | CaseAccepted
    | CaseRefused
    | CaseReturned
    | CasePhaseChanged
    | LetterIssued
    | DebtorAnswered
    | PaymentRecorded
    | CaseSettled
    | CaseClosed
    | FeeIncurred
)
