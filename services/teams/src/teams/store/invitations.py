"""Invitations in MongoDB, one document each, carrying their event
(`_outbox`), their mail (`_courier`) and their audit records (`_audit`).

Every transition is a conditional update on the state it leaves, so two
concurrent requests cannot both succeed; a code check first reserves one of
the code's checks with an atomic `$inc`, so parallel guesses cannot exceed
the limit either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chassis.mail import COURIER_FIELD, Mail, courier_indexes, push_mail
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import OUTBOX_FIELD, Outbox
from contracts import Event
from teams.domain.audit import AuditRecord
from teams.domain.invitations import CodeState, Invitation, InvitationStatus, Revocation, Sending
from teams.store.audit import AUDIT_FIELD, audit_entries
from teams.store.documents import code_to_doc, invitation_from_doc, invitation_to_doc

INVITATIONS = "invitations"
INVITATION_INDEXES: list[IndexSpec] = [
    ascending(INVITATIONS, "company_id", "created_at"),
    *courier_indexes(INVITATIONS),
    ascending(INVITATIONS, f"{AUDIT_FIELD}.id"),
]
HIDDEN = {OUTBOX_FIELD: 0, COURIER_FIELD: 0, AUDIT_FIELD: 0}


class InvitationStore:
    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._invitations = db[INVITATIONS]
        self._outbox = outbox

    async def add(self, invitation: Invitation, audit: Sequence[AuditRecord]) -> None:
        await self._invitations.insert_one({**invitation_to_doc(invitation), AUDIT_FIELD: audit_entries(audit)})

    async def get(self, company_id: str, invitation_id: str) -> Invitation | None:
        doc = await self._invitations.find_one({"_id": invitation_id, "company_id": company_id}, HIDDEN)
        return invitation_from_doc(doc) if doc else None

    async def by_id(self, invitation_id: str) -> Invitation | None:
        doc = await self._invitations.find_one({"_id": invitation_id}, HIDDEN)
        return invitation_from_doc(doc) if doc else None

    async def of_company(self, company_id: str) -> list[Invitation]:
        cursor = self._invitations.find({"company_id": company_id}, HIDDEN).sort("created_at", -1)
        return [invitation_from_doc(doc) async for doc in cursor]

    async def add_audit(self, invitation_id: str, audit: Sequence[AuditRecord]) -> None:
        await self._invitations.update_one(
            {"_id": invitation_id}, {"$push": {AUDIT_FIELD: {"$each": audit_entries(audit)}}}
        )

    async def reserve_check(self, invitation_id: str, digest: str, max_checks: int) -> bool:
        """Spend one check of the current code; False if none is left (or the code changed)."""
        result = await self._invitations.update_one(
            {
                "_id": invitation_id,
                "status": InvitationStatus.PENDING_CODE,
                "code.digest": digest,
                "code.checks": {"$lt": max_checks},
            },
            {"$inc": {"code.checks": 1}},
        )
        return result.modified_count == 1

    async def replace_code(
        self, invitation_id: str, previous_digest: str, code: CodeState, audit: Sequence[AuditRecord]
    ) -> bool:
        result = await self._invitations.update_one(
            {"_id": invitation_id, "status": InvitationStatus.PENDING_CODE, "code.digest": previous_digest},
            {"$set": {"code": code_to_doc(code)}, "$push": {AUDIT_FIELD: {"$each": audit_entries(audit)}}},
        )
        return result.modified_count == 1

    async def mark_sent(
        self, sending: Sending, *, events: Sequence[Event], mails: Sequence[Mail], audit: Sequence[AuditRecord]
    ) -> bool:
        """The `Sending` transition, once, with its mail and event in the same write."""
        update = self._outbox.update(
            push_mail(
                {
                    "$set": {
                        "status": InvitationStatus.SENT,
                        "expires_at": sending.expires_at,
                        "sent_at": sending.at,
                    },
                    "$unset": {"code": ""},
                    "$push": {AUDIT_FIELD: {"$each": audit_entries(audit)}},
                },
                *(mail.entry(sending.at) for mail in mails),
            ),
            *events,
        )
        result = await self._invitations.update_one(
            {"_id": sending.invitation_id, "status": InvitationStatus.PENDING_CODE, "code.digest": sending.code_digest},
            update,
        )
        if result.modified_count:
            self._outbox.notify()
        return result.modified_count == 1

    async def mark_accepted(
        self, invitation_id: str, *, account_id: str, now: datetime, audit: Sequence[AuditRecord]
    ) -> bool:
        """sent -> accepted, once and only before expiry: the link is consumed."""
        result = await self._invitations.update_one(
            {"_id": invitation_id, "status": InvitationStatus.SENT, "expires_at": {"$gt": now}},
            {
                "$set": {"status": InvitationStatus.ACCEPTED, "accepted_by": account_id, "accepted_at": now},
                "$push": {AUDIT_FIELD: {"$each": audit_entries(audit)}},
            },
        )
        return result.modified_count == 1

    async def mark_revoked(self, revocation: Revocation, audit: Sequence[AuditRecord]) -> bool:
        """The `Revocation`, once; False if the invitation changed since it was seen."""
        result = await self._invitations.update_one(
            {"_id": revocation.invitation_id, "status": revocation.seen_status},
            {
                "$set": {"status": InvitationStatus.REVOKED, "revoked_by": revocation.by, "revoked_at": revocation.at},
                "$push": {AUDIT_FIELD: {"$each": audit_entries(audit)}},
            },
        )
        return result.modified_count == 1
