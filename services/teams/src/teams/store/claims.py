"""Claims in MongoDB: one document per SIREN (`_id`) holding every claimant,
so that who came first and who competes is decided by single-document atomic
updates (`version` guards a review: read, decide, write if unchanged). Each
extract is its own document (`claim_extracts`, `_id` = claim id), kept out of
the claims list so listing never reads the files."""

from __future__ import annotations

from datetime import datetime

from bson import Binary
from pymongo import ReturnDocument

from chassis.mongo import IndexSpec, MongoDatabase, ascending
from teams.domain.claims import Claimant, ClaimStatus
from teams.store.documents import claimant_from_doc, claimant_to_doc

CLAIMS = "claims"
EXTRACTS = "claim_extracts"
# Reviews of one SIREN racing a new claim: attempts before giving up.
REVIEW_ATTEMPTS = 5
CLAIM_INDEXES: list[IndexSpec] = [ascending(CLAIMS, "claimants.status"), ascending(CLAIMS, "claimants.account_id")]


class ClaimStore:
    def __init__(self, db: MongoDatabase) -> None:
        self._claims = db[CLAIMS]
        self._extracts = db[EXTRACTS]

    async def submit(self, siren: str, claimant: Claimant, extract: bytes) -> list[Claimant]:
        """Record a claimant (its extract first); the SIREN's claimants after the push, in order."""
        await self._extracts.insert_one(
            {
                "_id": claimant.claim_id,
                "siren": siren,
                "media_type": claimant.extract_media_type,
                "data": Binary(extract),
            }
        )
        doc = await self._claims.find_one_and_update(
            {"_id": siren},
            {"$push": {"claimants": claimant_to_doc(claimant)}, "$inc": {"version": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return [claimant_from_doc(c) for c in doc["claimants"]] if doc else [claimant]

    async def of_siren(self, siren: str) -> list[Claimant]:
        doc = await self._claims.find_one({"_id": siren})
        return [claimant_from_doc(c) for c in doc["claimants"]] if doc else []

    async def with_pending(self) -> list[tuple[str, list[Claimant]]]:
        """Every SIREN with at least one pending claim, with all its claimants."""
        cursor = self._claims.find({"claimants.status": str(ClaimStatus.PENDING)}).sort("_id", 1)
        return [(doc["_id"], [claimant_from_doc(c) for c in doc["claimants"]]) async for doc in cursor]

    async def extract(self, claim_id: str) -> tuple[str, bytes] | None:
        doc = await self._extracts.find_one({"_id": claim_id})
        return (doc["media_type"], bytes(doc["data"])) if doc else None

    async def review(
        self, siren: str, claim_id: str, status: ClaimStatus, *, by: str, at: datetime, reason: str | None
    ) -> bool:
        """Close one pending claim as approved or rejected; False if it is not pending (any more)."""
        for _ in range(REVIEW_ATTEMPTS):
            doc = await self._claims.find_one({"_id": siren})
            claimants = list(doc["claimants"]) if doc else []
            index = next((i for i, c in enumerate(claimants) if c["claim_id"] == claim_id), None)
            if doc is None or index is None or claimants[index]["status"] != ClaimStatus.PENDING:
                return False
            claimants[index] = {**claimants[index], "status": str(status), "reviewed_by": by, "reviewed_at": at}
            claimants[index]["reason"] = reason
            result = await self._claims.update_one(
                {"_id": siren, "version": doc.get("version")},
                {"$set": {"claimants": claimants}, "$inc": {"version": 1}},
            )
            if result.modified_count == 1:
                return True
        return False
