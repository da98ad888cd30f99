"""Billing profiles in MongoDB, one document per account (`_id` = account id)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo.errors import DuplicateKeyError

from billing.domain.profiles import BillingProfile, ProfileStatus
from chassis.mongo import IndexSpec, MongoDatabase
from contracts import PersonKind

PROFILES = "profiles"
INDEXES: list[IndexSpec] = []  # looked up by _id only, for now


class ProfileStore:
    """The `ProfileRepository` port on MongoDB."""

    def __init__(self, db: MongoDatabase) -> None:
        self._profiles = db[PROFILES]

    async def add_if_absent(self, profile: BillingProfile) -> bool:
        """Insert keyed by account id: a replayed activation is a no-op."""
        document: dict[str, Any] = asdict(profile)
        document["_id"] = document.pop("account_id")
        try:
            await self._profiles.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, account_id: str) -> BillingProfile | None:
        document = await self._profiles.find_one({"_id": account_id})
        if document is None:
            return None
        return BillingProfile(
            account_id=str(document["_id"]),
            email=str(document["email"]),
            person_kind=PersonKind(str(document["person_kind"])),
            display_name=str(document["display_name"]),
            siren=document.get("siren"),
            status=ProfileStatus(str(document["status"])),
            opened_at=document["opened_at"],
            opened_by_event=str(document["opened_by_event"]),
        )
