"""Commissaire accounts in the accounts collection (`account_kind`
`commissaire`), the invitation and its mail (`_courier`) in the same document:
the account, its invitation and the mail are one write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.mail import push_mail, with_mail
from chassis.mongo import IndexSpec, MongoDatabase
from chassis.outbox import Outbox
from contracts import PersonKind
from identity.domain.accounts import AccountStatus, Civility
from identity.domain.commissaires import COMMISSAIRE, COMMISSAIRE_ROLE, Commissaire, Invitation
from identity.store.accounts import ACCOUNTS, HIDDEN

INVITATION = "invitation"
INDEXES: list[IndexSpec] = []


def invitation_document(invitation: Invitation) -> dict[str, Any]:
    return {"expires_at": invitation.expires_at, "sent_at": invitation.sent_at}


def to_document(commissaire: Commissaire, invitation: Invitation) -> dict[str, Any]:
    return {
        "_id": commissaire.account_id,
        "email": commissaire.email,
        "account_kind": COMMISSAIRE,
        "roles": [COMMISSAIRE_ROLE],
        "office_id": commissaire.office_id,
        "password_hash": None,
        "status": commissaire.status,
        "person_kind": PersonKind.NATURAL,
        "civility": commissaire.civility,
        "first_name": commissaire.first_name,
        "last_name": commissaire.last_name,
        "display_name": commissaire.display_name,
        "registered_at": commissaire.created_at,
        "created_by": commissaire.created_by,
        INVITATION: invitation_document(invitation),
    }


def from_document(doc: dict[str, Any]) -> Commissaire:
    return Commissaire(
        account_id=doc["_id"],
        email=doc["email"],
        civility=Civility(doc["civility"]) if doc.get("civility") else None,
        first_name=doc.get("first_name") or "",
        last_name=doc.get("last_name") or "",
        office_id=doc["office_id"],
        status=AccountStatus(doc["status"]),
        created_by=doc.get("created_by") or "",
        created_at=doc["registered_at"],
        activated_at=doc.get("activated_at"),
    )


class MongoCommissaireStore:
    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._accounts = db[ACCOUNTS]
        self._outbox = outbox

    async def create(self, commissaire: Commissaire, invitation: Invitation, mail: dict[str, Any]) -> bool:
        # No event: a commissaire is not announced on the bus (no billing onboarding).
        document = with_mail(self._outbox.new_document(to_document(commissaire, invitation)), mail)
        try:
            await self._accounts.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def by_id(self, account_id: str) -> Commissaire | None:
        doc = await self._accounts.find_one({"_id": account_id, "account_kind": COMMISSAIRE}, HIDDEN)
        return from_document(doc) if doc else None

    async def renew_invitation(self, account_id: str, invitation: Invitation, mail: dict[str, Any]) -> bool:
        result = await self._accounts.update_one(
            {"_id": account_id, "account_kind": COMMISSAIRE, "status": AccountStatus.INVITED},
            push_mail({"$set": {INVITATION: invitation_document(invitation)}}, mail),
        )
        return result.modified_count == 1

    async def activate(self, account_id: str, password_hash: str, now: datetime) -> bool:
        result = await self._accounts.update_one(
            {"_id": account_id, "account_kind": COMMISSAIRE, "status": AccountStatus.INVITED},
            {
                "$set": {"status": AccountStatus.ACTIVE, "password_hash": password_hash, "activated_at": now},
                "$unset": {INVITATION: ""},
            },
        )
        return result.modified_count == 1
