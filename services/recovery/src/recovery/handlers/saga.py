"""The saga's recovery side (ADR 0022), one handler per fact: billing's schedule and payment
events move a schedule's saga (domain.saga); the sweep files the case once the grace has passed.
Filing goes through `FileCase` (the same checks as a creditor's own filing), then `AssignCase`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from recovery.domain import saga as rules
from recovery.domain.cases import Actor, ActorKind, CaseError, Creditor
from recovery.domain.claims import AddressInput, ClaimInput, ClaimRefused, DebtorInput, InvoiceInput
from recovery.domain.deadlines import local_day
from recovery.domain.saga import BuyerAddress, Saga, SagaState
from recovery.handlers import assign_case, file_case, record_payment
from recovery.handlers.assign_case import AssignCase
from recovery.handlers.file_case import FileCase
from recovery.handlers.record_payment import RecordPayment
from recovery.ports import CaseNotFound, Mail, RecoveryPorts, StaleCase

log = logging.getLogger("recovery.saga")


@dataclass(frozen=True)
class OrderFacts:
    schedule_id: str
    merchant_id: str | None
    merchant_name: str
    order_number: str
    purchase_date: date | None
    buyer_name: str | None
    buyer_email: str
    buyer_address: BuyerAddress | None


async def _load(ports: RecoveryPorts, schedule_id: str) -> Saga:
    return await ports.sagas.get(schedule_id) or Saga(schedule_id)


async def _store(ports: RecoveryPorts, before: Saga, after: Saga, mails: tuple[Mail, ...] = ()) -> Saga:
    if after is not before:
        await ports.sagas.put(after, expected_version=before.version, mails=mails)
    return after


async def learn_order(ports: RecoveryPorts, facts: OrderFacts) -> Saga:
    saga = await _load(ports, facts.schedule_id)
    after = rules.learn_order(
        saga,
        ports.clock.now(),
        merchant_id=facts.merchant_id,
        merchant_name=facts.merchant_name,
        order_number=facts.order_number,
        purchase_date=facts.purchase_date,
        buyer_name=facts.buyer_name,
        buyer_email=facts.buyer_email,
        buyer_address=facts.buyer_address,
    )
    return await _store(ports, saga, after)


async def payment_rejected(
    ports: RecoveryPorts,
    facts: OrderFacts,
    installment: int,
    amount_cents: int,
    rejected_at: datetime | None = None,
) -> Saga:
    """The grace runs from the rejection itself (the event's time), not from when recovery read it."""
    await learn_order(ports, facts)
    saga = await _load(ports, facts.schedule_id)
    at = min(rejected_at, ports.clock.now()) if rejected_at is not None else ports.clock.now()
    after = rules.payment_rejected(saga, installment, amount_cents, at, ports.policy.saga_grace_days)
    return await _store(ports, saga, after)


async def payment_succeeded(ports: RecoveryPorts, schedule_id: str, installment: int) -> Saga:
    saga = await _load(ports, schedule_id)
    return await _store(ports, saga, rules.payment_succeeded(saga, installment, ports.clock.now()))


async def regularised(ports: RecoveryPorts, schedule_id: str, reference: str) -> Saga:
    saga = await _load(ports, schedule_id)
    after = rules.regularised(saga, ports.clock.now())
    if after.state is SagaState.SETTLED and saga.state is SagaState.FILED and saga.case_id:
        case = await ports.cases.get(saga.case_id)
        if case.balance_cents > 0 and case.phase.value not in {"returned", "settled", "closed"}:
            actor = Actor(ActorKind.SYSTEM, "billing-regularisation")
            await record_payment.handle(RecordPayment(case.case_id, reference, case.balance_cents, actor), ports)
    return await _store(ports, saga, after)


async def mandate_signed(ports: RecoveryPorts, merchant_id: str) -> int:
    """Waiting sagas of the merchant are due at once; how many."""
    waiting = await ports.sagas.awaiting_mandate(merchant_id)
    for saga in waiting:
        await _store(ports, saga, rules.mandate_signed(saga, ports.clock.now()))
    return len(waiting)


def _claim_of(saga: Saga, ports: RecoveryPorts) -> ClaimInput:
    address = saga.buyer_address
    assert address is not None
    rejected_on = min(local_day(u.rejected_at, "75") for u in saga.unpaid)
    issued = saga.purchase_date or rejected_on
    return ClaimInput(
        debtor=DebtorInput(
            kind="natural",
            name=saga.buyer_name,
            address=AddressInput(
                line1=address.line1, line2=address.line2, postcode=address.postcode, city=address.city
            ),
            email=saga.buyer_email,
        ),
        cause="contract",
        invoices=(
            InvoiceInput(
                number=saga.order_number or saga.schedule_id,
                issue_date=min(issued, rejected_on),
                due_date=rejected_on,
                amount_cents=saga.unpaid_cents,
            ),
        ),
        description=(
            f"Paiement en plusieurs fois de la commande {saga.order_number or saga.schedule_id} auprès de "
            f"{saga.merchant_name}: échéance(s) impayée(s) et non régularisée(s)"
        ),
    )


async def _file(ports: RecoveryPorts, saga: Saga) -> tuple[Saga, tuple[Mail, ...]]:
    now = ports.clock.now()
    if not saga.merchant_id:
        return rules.unfileable(
            saga, now, "the merchant's account is unknown (schedule created before it was sent)"
        ), ()
    if not saga.buyer_name or saga.buyer_address is None or not saga.unpaid:
        return rules.unfileable(saga, now, "the buyer's name or postal address is unknown"), ()
    if not await ports.mandates.signed(saga.merchant_id):
        known = await ports.creditors.details(saga.merchant_id)
        mails: tuple[Mail, ...] = ()
        if known is not None and known.email:
            mails = (
                Mail(
                    known.email,
                    f"Commande {saga.order_number}: signez un mandat pour lancer le recouvrement",
                    f"Bonjour,\n\nL'échéance impayée de la commande {saga.order_number} n'a pas été régularisée. "
                    f"Pour qu'un commissaire de justice en recouvre le montant ({saga.unpaid_cents} centimes), "
                    f"signez un mandat de prélèvement SEPA (les frais de la procédure vous incombent) : "
                    f"{ports.mandate_url}\nLa demande partira dès la signature.\n",
                ),
            )
        return rules.awaiting_mandate(saga, now), mails
    command = FileCase(
        saga.case_id_for(), Creditor(saga.merchant_id, trader=True), _claim_of(saga, ports), proofs_required=False
    )
    try:
        await file_case.handle(command, ports)
    except (ClaimRefused, CaseError) as refused:
        return rules.unfileable(saga, now, str(refused)[:500]), ()
    try:
        await assign_case.handle(AssignCase(command.case_id), ports)
    except (CaseError, StaleCase, CaseNotFound):
        log.exception("saga case %s filed but not assigned yet", command.case_id)
    return rules.filed(saga, now), ()


async def advance_due(ports: RecoveryPorts) -> bool:
    """One saga whose grace passed (or whose mandate came): file, wait for a mandate, or give up."""
    saga = await ports.sagas.claim_due(ports.clock.now())
    if saga is None:
        return False
    try:
        after, mails = await _file(ports, saga)
        await ports.sagas.put(after, expected_version=saga.version, mails=mails)
    except BaseException:
        await ports.sagas.release(saga.schedule_id)
        raise
    return True
