"""Fee ledgers (collection `fee_ledgers`, `_id` = creditor id) and SEPA batches (`sepa_batches`,
`_id` = batch id), in MongoDB.

A ledger's `fees` are only ever appended by the consumer (`$push`, guarded by `fee_id`, and
`fee_count` incremented); its `collections` are written only by the holder of its lease
(`chassis.leases`), with the pre-notification mails (`_courier`, the chassis' durable courier) in
the same write, conditional on `fee_count` so a fee recorded meanwhile is never overlooked.
A batch's file holds IBANs: it is sealed at rest (`chassis.crypto`, associated data
`billing.sepa-file`); its lines keep the IBAN masked only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from billing.domain.bank import mask_iban
from billing.domain.fees import BatchLine, Collection, CollectionStatus, Fee, FeeLedger, Mail, SepaBatch
from billing.ports import HeldBatch, HeldLedger, SaveOutcome
from chassis.crypto import FieldCipher
from chassis.leases import Claim, Leases
from chassis.mail import courier_indexes, mail_entry, push_mail
from chassis.mongo import IndexSpec, MongoDatabase, ascending

FEE_LEDGERS = "fee_ledgers"
SEPA_BATCHES = "sepa_batches"
FILE_FIELD = "billing.sepa-file"
INDEXES: list[IndexSpec] = [
    ascending(FEE_LEDGERS, "next_plan_at"),
    ascending(FEE_LEDGERS, "next_collection_on"),
    ascending(FEE_LEDGERS, "collections.batch_id"),
    ascending(SEPA_BATCHES, "status", "collection_on"),
    *courier_indexes(FEE_LEDGERS),
]


def _day(value: date) -> datetime:
    return datetime.combine(value, time(), tzinfo=UTC)


def _date(value: datetime) -> date:
    return value.date()


def _fee_doc(fee: Fee) -> dict[str, Any]:
    return {
        "fee_id": fee.fee_id,
        "case_id": fee.case_id,
        "company_id": fee.company_id,
        "step": fee.step,
        "amount_cents": fee.amount_cents,
        "incurred_at": fee.incurred_at,
    }


def _fee(doc: dict[str, Any], creditor_id: str) -> Fee:
    return Fee(
        fee_id=str(doc["fee_id"]),
        case_id=str(doc["case_id"]),
        creditor_id=creditor_id,
        step=str(doc["step"]),
        amount_cents=int(doc["amount_cents"]),
        incurred_at=doc["incurred_at"],
        company_id=doc.get("company_id"),
    )


def _collection_doc(c: Collection) -> dict[str, Any]:
    return {
        "collection_id": c.collection_id,
        "mandate_reference": c.mandate_reference,
        "mandate_signed_on": _day(c.mandate_signed_on),
        "sequence": c.sequence,
        "collection_on": _day(c.collection_on),
        "fee_ids": list(c.fee_ids),
        "amount_cents": c.amount_cents,
        "prenotified_at": c.prenotified_at,
        "status": str(c.status),
        "batch_id": c.batch_id,
        "batched_on": _day(c.batched_on) if c.batched_on else None,
    }


def _collection(doc: dict[str, Any]) -> Collection:
    return Collection(
        collection_id=str(doc["collection_id"]),
        mandate_reference=str(doc["mandate_reference"]),
        mandate_signed_on=_date(doc["mandate_signed_on"]),
        sequence=str(doc["sequence"]),
        collection_on=_date(doc["collection_on"]),
        fee_ids=tuple(doc["fee_ids"]),
        amount_cents=int(doc["amount_cents"]),
        prenotified_at=doc["prenotified_at"],
        status=CollectionStatus(doc["status"]),
        batch_id=doc.get("batch_id"),
        batched_on=_date(doc["batched_on"]) if doc.get("batched_on") else None,
    )


def _ledger(doc: dict[str, Any]) -> FeeLedger:
    creditor_id = str(doc["_id"])
    return FeeLedger(
        creditor_id=creditor_id,
        fees=tuple(_fee(f, creditor_id) for f in doc.get("fees", [])),
        collections=tuple(_collection(c) for c in doc.get("collections", [])),
    )


class FeeLedgerMongo:
    """The `FeeLedgerStore` port on MongoDB."""

    def __init__(self, db: MongoDatabase, leases: Leases | None = None) -> None:
        self._ledgers = db[FEE_LEDGERS]
        self._lease_holder = leases

    @property
    def _leases(self) -> Leases:
        """Claims need the leases (wired at start); recording a fee (the consumer) does not."""
        assert self._lease_holder is not None, "this FeeLedgerMongo records fees only"
        return self._lease_holder

    async def record(self, fee: Fee, *, now: datetime) -> bool:
        try:
            result = await self._ledgers.update_one(
                {"_id": fee.creditor_id, "fees.fee_id": {"$ne": fee.fee_id}},
                {
                    "$push": {"fees": {**_fee_doc(fee), "recorded_at": now}},
                    "$inc": {"fee_count": 1},
                    "$set": {"next_plan_at": now},
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the ledger exists and holds that fee already
        return result.modified_count == 1 or result.upserted_id is not None

    async def get(self, creditor_id: str) -> FeeLedger | None:
        doc = await self._ledgers.find_one({"_id": creditor_id}, {"_courier": 0})
        return _ledger(doc) if doc else None

    def _held(self, claim: Claim) -> HeldLedger:
        return HeldLedger(_ledger(claim.document), claim, int(claim.document.get("fee_count", 0)))

    async def claim_to_plan(self, now: datetime) -> HeldLedger | None:
        claim = await self._leases.claim({"next_plan_at": {"$lte": now}}, projection={"_courier": 0})
        return self._held(claim) if claim else None

    async def reload(self, held: HeldLedger) -> HeldLedger | None:
        claim = held.token
        assert isinstance(claim, Claim)
        doc = await self._ledgers.find_one(self._leases.held(claim), {"_courier": 0})
        if doc is None:
            self._leases.forget(claim)
            return None
        return HeldLedger(_ledger(doc), Claim(claim.id, claim.version, doc), int(doc.get("fee_count", 0)))

    def _collections_update(self, ledger: FeeLedger, plan_again_at: datetime | None) -> dict[str, Any]:
        following = ledger.next_collection_on
        return {
            "$set": {
                "collections": [_collection_doc(c) for c in ledger.collections],
                "next_collection_on": _day(following) if following else None,
                "next_plan_at": plan_again_at,
            }
        }

    async def save_planned(
        self, held: HeldLedger, ledger: FeeLedger, mails: Sequence[Mail], *, plan_again_at: datetime | None
    ) -> SaveOutcome:
        claim = held.token
        assert isinstance(claim, Claim)
        now = self._leases.clock.now()
        update = self._leases.completing(self._collections_update(ledger, plan_again_at))
        if mails:
            update = push_mail(update, *(mail_entry(to=m.to, subject=m.subject, text=m.text, now=now) for m in mails))
        result = await self._ledgers.update_one({**self._leases.held(claim), "fee_count": held.fee_count}, update)
        if result.matched_count == 1:
            self._leases.forget(claim)
            return SaveOutcome.SAVED
        if await self._ledgers.find_one(self._leases.held(claim), {"_id": 1}) is not None:
            return SaveOutcome.FEES_CHANGED
        self._leases.forget(claim)
        return SaveOutcome.LOST

    async def release(self, held: HeldLedger, *, plan_again_at: datetime | None) -> None:
        claim = held.token
        assert isinstance(claim, Claim)
        # A fee recorded meanwhile set `next_plan_at` to its time: keep it then.
        await self._ledgers.update_one(
            {**self._leases.held(claim), "fee_count": held.fee_count},
            self._leases.completing({"$set": {"next_plan_at": plan_again_at}}),
        )
        await self._leases.release(claim)

    async def claim_due(self, on: date) -> HeldLedger | None:
        claim = await self._leases.claim({"next_collection_on": {"$lte": _day(on)}}, projection={"_courier": 0})
        return self._held(claim) if claim else None

    async def save_batched(self, held: HeldLedger, ledger: FeeLedger, *, plan_again_at: datetime | None) -> bool:
        claim = held.token
        assert isinstance(claim, Claim)
        update = self._collections_update(ledger, None)
        if plan_again_at is not None:
            update["$set"]["next_plan_at"] = plan_again_at
        else:
            del update["$set"]["next_plan_at"]  # the consumer's, untouched
        return await self._leases.complete(claim, update)

    async def in_batch(self, batch_id: str) -> list[FeeLedger]:
        cursor = self._ledgers.find({"collections.batch_id": batch_id}, {"_courier": 0}).sort("_id", ASCENDING)
        return [_ledger(doc) async for doc in cursor]

    async def earliest_scheduled(self) -> date | None:
        doc = await self._ledgers.find_one(
            {"next_collection_on": {"$ne": None}}, {"next_collection_on": 1}, sort=[("next_collection_on", ASCENDING)]
        )
        return _date(doc["next_collection_on"]) if doc and doc.get("next_collection_on") else None


def _line_doc(line: BatchLine) -> dict[str, Any]:
    return {
        "end_to_end_id": line.end_to_end_id,
        "creditor_id": line.creditor_id,
        "amount_cents": line.amount_cents,
        "sequence": line.sequence,
        "mandate_reference": line.mandate_reference,
        "mandate_signed_on": _day(line.mandate_signed_on),
        "debtor_name": line.debtor_name,
        "debtor_iban_masked": mask_iban(line.debtor_iban),
        "debtor_bic": line.debtor_bic,
        "description": line.description,
        "fee_ids": list(line.fee_ids),
    }


def _line(doc: dict[str, Any]) -> BatchLine:
    return BatchLine(
        end_to_end_id=str(doc["end_to_end_id"]),
        creditor_id=str(doc["creditor_id"]),
        amount_cents=int(doc["amount_cents"]),
        sequence=str(doc["sequence"]),
        mandate_reference=str(doc["mandate_reference"]),
        mandate_signed_on=_date(doc["mandate_signed_on"]),
        debtor_name=str(doc["debtor_name"]),
        debtor_iban=str(doc["debtor_iban_masked"]),  # masked: the clear one is only in the sealed file
        debtor_bic=str(doc["debtor_bic"]),
        description=str(doc["description"]),
        fee_ids=tuple(doc["fee_ids"]),
    )


class BatchMongo:
    """The `BatchStore` port on MongoDB."""

    def __init__(self, db: MongoDatabase, leases: Leases, cipher: FieldCipher) -> None:
        self._batches = db[SEPA_BATCHES]
        self._leases = leases
        self._cipher = cipher

    def _batch(self, doc: dict[str, Any]) -> SepaBatch:
        return SepaBatch(
            batch_id=str(doc["_id"]),
            collection_on=_date(doc["collection_on"]),
            created_at=doc["created_at"],
            lines=tuple(_line(line) for line in doc["lines"]),
            xml=self._cipher.open(doc["file"], field=FILE_FIELD).encode(),
            schema=str(doc["schema"]),
            fees=tuple(_fee(fee, str(fee["creditor_id"])) for fee in doc["fees"]),
        )

    async def get(self, batch_id: str) -> SepaBatch | None:
        doc = await self._batches.find_one({"_id": batch_id, "status": "produced"})
        return self._batch(doc) if doc else None

    async def latest(self) -> SepaBatch | None:
        doc = await self._batches.find_one({"status": "produced"}, sort=[("collection_on", DESCENDING)])
        return self._batch(doc) if doc else None

    async def open(self, batch_id: str, on: date, *, now: datetime) -> HeldBatch | None:
        # Exists if produced, or being produced (or left half-way by a crashed producer: claimable once lapsed).
        with contextlib.suppress(DuplicateKeyError):
            await self._batches.insert_one(
                {"_id": batch_id, "collection_on": _day(on), "status": "building", "opened_at": now, "lease": None}
            )
        claim = await self._leases.claim({"_id": batch_id, "status": "building"})
        return HeldBatch(batch_id, claim) if claim else None

    async def save(self, held: HeldBatch, batch: SepaBatch) -> bool:
        claim = held.token
        assert isinstance(claim, Claim)
        return await self._leases.complete(
            claim,
            {
                "$set": {
                    "status": "produced",
                    "created_at": batch.created_at,
                    "schema": batch.schema,
                    "file": self._cipher.seal(batch.xml.decode(), field=FILE_FIELD),
                    "lines": [_line_doc(line) for line in batch.lines],
                    "fees": [{**_fee_doc(fee), "creditor_id": fee.creditor_id} for fee in batch.fees],
                    "amount_cents": batch.amount_cents,
                }
            },
        )

    async def release(self, held: HeldBatch) -> None:
        claim = held.token
        assert isinstance(claim, Claim)
        await self._leases.release(claim)

    async def list(self, limit: int) -> list[SepaBatch]:
        cursor = self._batches.find({"status": "produced"}).sort("collection_on", DESCENDING).limit(limit)
        return [self._batch(doc) async for doc in cursor]
