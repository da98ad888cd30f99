"""The SEPA batch file (pain.008) of the collections due on a date, for the bank.

One batch per collection date (`CDFEES-YYYYMMDD`). Producing it:
1. plans the pending fees first (so fees recorded until now are pre-notified and scheduled);
2. claims the batch (a lease: one producer at a time; another gets 409 `batch-being-produced`);
3. claims each ledger with a collection due by that date (a lease each) and marks those
   collections `batched` with the batch id, in the ledger's own write: a collection, hence a fee,
   is in one batch only; a collection whose mandate ended is cancelled, its fees pending again;
4. reads back every collection marked with the batch id (also those a crashed producer marked)
   and writes the file, stored with the batch (sealed: it holds IBANs).
Producing the batch of a date again returns the stored file: the same bytes (idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from billing.domain.fees import (
    BatchLine,
    CollectionStatus,
    Fee,
    SepaBatch,
    batch_due,
    batch_id_for,
    batch_line,
)
from billing.handlers.fees import plan_collections
from billing.ports import Fees
from chassis.auth import Caller
from chassis.errors import Conflict, Forbidden, NotFound, invalid_field


@dataclass(frozen=True)
class Produced:
    batch: SepaBatch
    created: bool  # False: the stored batch of that date, unchanged


class NothingToCollect(NotFound):
    pass


def require_batch_role(fees: Fees, caller: Caller) -> None:
    """The batch files hold creditors' IBANs: support or an operator only (every route of theirs)."""
    if not any(caller.has_role(role) for role in fees.batch_roles):
        raise Forbidden(
            f"you need one of the roles {', '.join(fees.batch_roles)} to handle the SEPA batch files",
            code="missing-role",
        )


async def next_batch_date(fees: Fees) -> date | None:
    """The date of the next batch: the earliest scheduled collection (after the last batch
    produced, whose file is sealed), else the last batch if its date is still ahead."""
    today = fees.clock.now().date()
    latest = await fees.batches.latest()
    earliest = await fees.ledgers.earliest_scheduled()
    if earliest is not None:
        if latest is not None and earliest <= latest.collection_on:
            # Planned for a date whose file was already written: goes in the next one.
            return max(latest.collection_on + timedelta(days=1), today)
        return max(earliest, today)
    if latest is not None and latest.collection_on >= today:
        return latest.collection_on
    return None


async def produce_batch(fees: Fees, on: date | None = None) -> Produced:
    """ProduceBatch: the pain.008 file of the collections due by `on` (default: the next batch)."""
    now = fees.clock.now()
    if on is not None and on < now.date():
        raise invalid_field(
            "collection_date", "in the past", f"a collection date cannot be in the past (today is {now.date()})"
        )
    await plan_collections(fees)
    if on is None:
        on = await next_batch_date(fees)
        if on is None:
            raise NothingToCollect(
                "no fee is scheduled for collection: there is no next batch", code="nothing-to-collect"
            )
    batch_id = batch_id_for(on)
    existing = await fees.batches.get(batch_id)
    if existing is not None:
        return Produced(existing, created=False)
    held = await fees.batches.open(batch_id, on, now=now)
    if held is None:
        existing = await fees.batches.get(batch_id)
        if existing is not None:
            return Produced(existing, created=False)
        raise Conflict(
            f"the batch of {on} is being produced by another request: try again", code="batch-being-produced"
        )
    try:
        while (ledger_held := await fees.ledgers.claim_due(on)) is not None:
            creditor_id = ledger_held.ledger.creditor_id
            found = await fees.onboardings.get(creditor_id)
            mandate = found[0].mandate if found else None
            ledger, _ = batch_due(ledger_held.ledger, mandate, batch_id=batch_id, on=on)
            cancelled = any(
                c.status is CollectionStatus.CANCELLED and o.status is CollectionStatus.SCHEDULED
                for c, o in zip(ledger.collections, ledger_held.ledger.collections, strict=True)
            )
            await fees.ledgers.save_batched(ledger_held, ledger, plan_again_at=now if cancelled else None)
        lines: list[BatchLine] = []
        fees_held: list[Fee] = []
        for ledger in await fees.ledgers.in_batch(batch_id):
            found = await fees.onboardings.get(ledger.creditor_id)
            mandate = found[0].mandate if found else None
            for collection in ledger.collections:
                if collection.batch_id != batch_id:
                    continue
                # Marked under this mandate (batch_due checked it); its debtor account as it is now.
                if mandate is None or mandate.reference != collection.mandate_reference:
                    raise Conflict(
                        f"the mandate of collection {collection.collection_id} changed while the batch was "
                        "produced: try again",
                        code="batch-being-produced",
                    )
                lines.append(batch_line(collection, ledger, mandate))
                fees_held.extend(fee for fee in ledger.fees if fee.fee_id in collection.fee_ids)
        if not lines:
            await fees.batches.release(held)
            raise NothingToCollect(f"no collection is due by {on}", code="nothing-to-collect")
        lines.sort(key=lambda line: (line.sequence, line.end_to_end_id))
        xml = fees.writer.render(lines, batch_id=batch_id, on=on, created_at=now)
        batch = SepaBatch(
            batch_id=batch_id,
            collection_on=on,
            created_at=now,
            lines=tuple(lines),
            xml=xml,
            schema=fees.writer.schema,
            fees=tuple(fees_held),
        )
        if not await fees.batches.save(held, batch):
            raise Conflict(f"the batch of {on} was taken over meanwhile: try again", code="batch-being-produced")
    except BaseException:
        await fees.batches.release(held)
        raise
    return Produced(batch, created=True)


async def produced_batches(fees: Fees, limit: int) -> list[SepaBatch]:
    """The batch files produced, latest collection date first."""
    return await fees.batches.list(limit)


async def produced_batch(fees: Fees, batch_id: str) -> SepaBatch:
    """A produced batch (404 `batch-not-found` otherwise, also while it is being produced)."""
    batch = await fees.batches.get(batch_id)
    if batch is None:
        raise NotFound(f"no SEPA batch {batch_id}", code="batch-not-found")
    return batch
