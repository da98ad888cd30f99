"""Teams' view of identity's accounts, from AccountActivated: who is a legal
person with which SIREN (a token says who calls, not which company it is)."""

from __future__ import annotations

from chassis.mongo import IndexSpec, MongoDatabase
from contracts.events.identity import AccountActivated
from teams.domain.accounts import KnownAccount

ACCOUNTS = "accounts"
ACCOUNT_INDEXES: list[IndexSpec] = []  # by _id (the account id) only


class AccountView:
    def __init__(self, db: MongoDatabase) -> None:
        self._accounts = db[ACCOUNTS]

    async def apply(self, event: AccountActivated) -> None:
        """Keyed by account id: a replayed event writes the same values again."""
        await self._accounts.update_one(
            {"_id": event.account_id},
            {
                "$set": {
                    "email": event.email,
                    "person_kind": str(event.person_kind),
                    "display_name": event.display_name,
                    "siren": event.siren,
                }
            },
            upsert=True,
        )

    async def get(self, account_id: str) -> KnownAccount | None:
        doc = await self._accounts.find_one({"_id": account_id})
        if doc is None:
            return None
        return KnownAccount(
            account_id=doc["_id"],
            email=doc["email"],
            person_kind=doc["person_kind"],
            display_name=doc["display_name"],
            siren=doc.get("siren"),
        )
