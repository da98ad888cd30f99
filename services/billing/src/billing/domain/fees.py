"""Recovery's procedure fees, collected from the creditor by SEPA Core direct debit (CPCE L125-1:
every procedure fee is borne by the creditor). Pure rules, no I/O.

A creditor's **fee ledger** holds the fees recovery reported (`FeeIncurred`, one per `fee_id`:
a fee is charged once however often it is delivered) and the **collections** planned from them.
A collection groups the creditor's pending fees under their signed mandate, is announced by a
pre-notification at least 14 calendar days before its date (`bank.prenotification_due_by`), goes as
FRST for the first collection under a mandate and RCUR after (`bank.sequence_type`), and is put in
exactly one SEPA batch file. A mandate unused for 36 months lapses (`bank.mandate_lapsed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from billing.domain.bank import (
    PRENOTIFICATION_DAYS,
    Mandate,
    MandateStatus,
    mandate_lapsed,
    prenotification_due_by,
    sequence_type,
)
from billing.domain.money import format_euros


class FeeError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Fee:
    """One billable step of a recovery case, owed by the creditor."""

    fee_id: str
    case_id: str
    creditor_id: str
    step: str
    amount_cents: int
    incurred_at: datetime
    company_id: str | None = None

    def __post_init__(self) -> None:
        if self.amount_cents <= 0:
            raise FeeError(f"a fee is a positive amount of cents, not {self.amount_cents}", code="fee-amount")


class CollectionStatus(StrEnum):
    SCHEDULED = "scheduled"  # pre-notified, waiting for its batch
    BATCHED = "batched"  # in a SEPA batch file: collected
    CANCELLED = "cancelled"  # its mandate ended before the batch: the fees are pending again


@dataclass(frozen=True)
class Collection:
    """A direct debit of some of a creditor's fees, on a date, under one mandate."""

    collection_id: str
    mandate_reference: str
    mandate_signed_on: date
    sequence: str  # FRST | RCUR
    collection_on: date
    fee_ids: tuple[str, ...]
    amount_cents: int
    prenotified_at: datetime
    status: CollectionStatus = CollectionStatus.SCHEDULED
    batch_id: str | None = None
    batched_on: date | None = None  # the batch's date (later than `collection_on` if it was re-dated)


@dataclass(frozen=True)
class FeeLedger:
    creditor_id: str
    fees: tuple[Fee, ...] = ()
    collections: tuple[Collection, ...] = ()

    def fee(self, fee_id: str) -> Fee | None:
        return next((fee for fee in self.fees if fee.fee_id == fee_id), None)

    @property
    def pending(self) -> tuple[Fee, ...]:
        """Fees in no live (scheduled or batched) collection."""
        held = {
            fee_id
            for collection in self.collections
            if collection.status is not CollectionStatus.CANCELLED
            for fee_id in collection.fee_ids
        }
        return tuple(fee for fee in self.fees if fee.fee_id not in held)

    def collections_made(self, mandate_reference: str) -> int:
        """Collections under that mandate that are (or will be) presented: they decide FRST/RCUR."""
        return sum(
            1
            for c in self.collections
            if c.mandate_reference == mandate_reference and c.status is not CollectionStatus.CANCELLED
        )

    @property
    def next_collection_on(self) -> date | None:
        """The earliest date of a collection still waiting for its batch."""
        dates = [c.collection_on for c in self.collections if c.status is CollectionStatus.SCHEDULED]
        return min(dates) if dates else None


def record_fee(ledger: FeeLedger, fee: Fee) -> FeeLedger:
    """The ledger with `fee`; the same `fee_id` twice records it once (the first one stands)."""
    if fee.creditor_id != ledger.creditor_id:
        raise FeeError("a fee goes in its own creditor's ledger", code="fee-creditor")
    if ledger.fee(fee.fee_id) is not None:
        return ledger
    return replace(ledger, fees=(*ledger.fees, fee))


def collectable(mandate: Mandate | None) -> bool:
    return mandate is not None and mandate.status is MandateStatus.SIGNED and mandate.signed_at is not None


def mandate_last_used(ledger: FeeLedger | None, mandate: Mandate) -> date:
    """The last day the mandate was used: its latest presented collection, else its signature."""
    assert mandate.signed_at is not None
    used = [
        c.batched_on or c.collection_on
        for c in (ledger.collections if ledger else ())
        if c.mandate_reference == mandate.reference and c.status is CollectionStatus.BATCHED
    ]
    return max([mandate.signed_at.date(), *used])


def has_lapsed(ledger: FeeLedger | None, mandate: Mandate, today: date) -> bool:
    """A signed mandate unused for 36 months has lapsed: nothing may be collected under it."""
    return collectable(mandate) and mandate_lapsed(mandate_last_used(ledger, mandate), today)


def collection_date(today: date, *, notice_days: int, not_before: date | None = None) -> date:
    """The date of a collection planned (and pre-notified) today: `notice_days` ahead at least,
    and after the last batch already produced (its file is sealed)."""
    if notice_days < PRENOTIFICATION_DAYS:
        raise ValueError(f"a pre-notification goes at least {PRENOTIFICATION_DAYS} days ahead, not {notice_days}")
    on = today + timedelta(days=notice_days)
    if not_before is not None and on < not_before:
        on = not_before
    # The rule of the domain, checked: the pre-notification (today) is due by then.
    assert prenotification_due_by(on) >= today
    return on


def plan_collection(
    ledger: FeeLedger,
    mandate: Mandate,
    *,
    collection_id: str,
    now: datetime,
    notice_days: int = PRENOTIFICATION_DAYS,
    not_before: date | None = None,
) -> tuple[FeeLedger, Collection] | None:
    """One collection of every pending fee under the signed `mandate`, or None if nothing is pending.
    The caller mails its pre-notification in the same write."""
    if not collectable(mandate):
        raise FeeError("fees are collected under a signed mandate only", code="no-signed-mandate")
    if has_lapsed(ledger, mandate, now.date()):
        raise FeeError("the mandate lapsed (unused for 36 months): a new one must be signed", code="mandate-lapsed")
    pending = ledger.pending
    if not pending:
        return None
    assert mandate.signed_at is not None
    collection = Collection(
        collection_id=collection_id,
        mandate_reference=mandate.reference,
        mandate_signed_on=mandate.signed_at.date(),
        sequence=sequence_type(ledger.collections_made(mandate.reference)),
        collection_on=collection_date(now.date(), notice_days=notice_days, not_before=not_before),
        fee_ids=tuple(fee.fee_id for fee in pending),
        amount_cents=sum(fee.amount_cents for fee in pending),
        prenotified_at=now,
    )
    return replace(ledger, collections=(*ledger.collections, collection)), collection


def batch_due(
    ledger: FeeLedger, mandate: Mandate | None, *, batch_id: str, on: date
) -> tuple[FeeLedger, list[Collection]]:
    """Put the collections due by `on` in batch `batch_id` (dated `on`); those whose mandate is no
    longer the signed one are cancelled (their fees are pending again, for a new collection under a
    new mandate). Returns the ledger and the collections batched."""
    batched: list[Collection] = []
    collections: list[Collection] = []
    for c in ledger.collections:
        if c.status is CollectionStatus.SCHEDULED and c.collection_on <= on:
            if collectable(mandate) and mandate is not None and mandate.reference == c.mandate_reference:
                c = replace(c, status=CollectionStatus.BATCHED, batch_id=batch_id, batched_on=on)
                batched.append(c)
            else:
                c = replace(c, status=CollectionStatus.CANCELLED)
        collections.append(c)
    return replace(ledger, collections=tuple(collections)), batched


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class SepaCreditor:
    """creditdesk as the SEPA creditor (settings)."""

    identifier: str  # ICS
    name: str
    iban: str
    bic: str


def prenotification(
    collection: Collection,
    fees: tuple[Fee, ...],
    *,
    to: str,
    debtor_name: str,
    creditor: SepaCreditor,
) -> Mail:
    """The pre-notification of a collection (SEPA rulebook: amount and date before the debit)."""
    by_id = {fee.fee_id: fee for fee in fees}
    lines = [
        f"  - dossier {by_id[fee_id].case_id}, {by_id[fee_id].step} : {format_euros(by_id[fee_id].amount_cents)} EUR"
        for fee_id in collection.fee_ids
    ]
    text = "\n".join(
        [
            f"Bonjour {debtor_name},",
            "",
            f"Nous prélèverons {format_euros(collection.amount_cents)} EUR sur votre compte le "
            f"{collection.collection_on.strftime('%d/%m/%Y')} (prélèvement SEPA Core "
            f"{'premier' if collection.sequence == 'FRST' else 'récurrent'}, {collection.sequence}),",
            "au titre des frais de procédure de recouvrement, à la charge du créancier (CPCE L125-1) :",
            *lines,
            "",
            f"Référence unique de mandat (RUM) : {collection.mandate_reference}",
            f"Identifiant créancier SEPA (ICS) : {creditor.identifier} ({creditor.name})",
            f"Référence du prélèvement : {collection.collection_id}",
            "",
            "Vous pouvez révoquer votre mandat depuis votre espace de facturation.",
        ]
    )
    subject = (
        f"Prélèvement de {format_euros(collection.amount_cents)} EUR le {collection.collection_on.strftime('%d/%m/%Y')}"
    )
    return Mail(to=to, subject=subject, text=text)


@dataclass(frozen=True)
class BatchLine:
    """One direct-debit transaction of a batch file."""

    end_to_end_id: str  # the collection id
    creditor_id: str
    amount_cents: int
    sequence: str
    mandate_reference: str
    mandate_signed_on: date
    debtor_name: str
    debtor_iban: str
    debtor_bic: str
    description: str
    fee_ids: tuple[str, ...]


@dataclass(frozen=True)
class SepaBatch:
    """A pain.008 file for the bank: the collections due on `collection_on`."""

    batch_id: str
    collection_on: date
    created_at: datetime
    lines: tuple[BatchLine, ...]
    xml: bytes
    schema: str
    fees: tuple[Fee, ...] = field(default=())

    @property
    def amount_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def batch_id_for(on: date) -> str:
    """One batch per collection date: its id (also the file's message id)."""
    return f"CDFEES-{on:%Y%m%d}"


def batch_line(collection: Collection, ledger: FeeLedger, mandate: Mandate) -> BatchLine:
    steps = ", ".join(sorted({fee.step for fee in ledger.fees if fee.fee_id in collection.fee_ids}))
    return BatchLine(
        end_to_end_id=collection.collection_id,
        creditor_id=ledger.creditor_id,
        amount_cents=collection.amount_cents,
        sequence=collection.sequence,
        mandate_reference=collection.mandate_reference,
        mandate_signed_on=collection.mandate_signed_on,
        debtor_name=mandate.debtor_name,
        debtor_iban=mandate.iban,
        debtor_bic=mandate.bic,
        description=f"creditdesk frais de recouvrement {collection.collection_id} ({steps})"[:140],
        fee_ids=collection.fee_ids,
    )
