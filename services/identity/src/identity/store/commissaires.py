"""Commissaire accounts in the accounts collection (`account_kind`
`commissaire`), the invitation and its mail (`_courier`) in the same document:
the account, its invitation and the mail are one write."""

from __future__ import annotations

from datetime import datetime

from pymongo.errors import DuplicateKeyError

from chassis.mail import Mail, push_mail, with_mail
from chassis.mongo import Document, IndexSpec, MongoDatabase
from chassis.outbox import Outbox
from identity.domain.accounts import AccountStatus
from identity.domain.commissaires import COMMISSAIRE, Commissaire, Invitation
from identity.store.accounts import ACCOUNTS, HIDDEN, account_document, account_from, link_document

INVITATION = "invitation"
INDEXES: list[IndexSpec] = []


def to_document(commissaire: Commissaire, invitation: Invitation) -> Document:
    """The invited account's document (no password yet), with its invitation."""
    return account_document(commissaire.account(), None) | {INVITATION: link_document(invitation)}


class MongoCommissaireStore:
    """`identity.ports.CommissaireStore` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._accounts = db[ACCOUNTS]
        self._outbox = outbox

    async def create(self, commissaire: Commissaire, invitation: Invitation, mail: Mail) -> bool:
        # No event: a commissaire is not announced on the bus (no billing onboarding).
        document = with_mail(
            self._outbox.new_document(to_document(commissaire, invitation)), mail.entry(invitation.sent_at)
        )
        try:
            await self._accounts.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def by_id(self, account_id: str) -> Commissaire | None:
        doc = await self._accounts.find_one({"_id": account_id, "account_kind": COMMISSAIRE}, HIDDEN)
        return Commissaire.of(account_from(doc)) if doc else None

    async def renew_invitation(self, account_id: str, invitation: Invitation, mail: Mail) -> bool:
        result = await self._accounts.update_one(
            {"_id": account_id, "account_kind": COMMISSAIRE, "status": AccountStatus.INVITED},
            push_mail({"$set": {INVITATION: link_document(invitation)}}, mail.entry(invitation.sent_at)),
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
