"""Accounts in MongoDB: one document per account, carrying its pending events
(`_outbox`) and pending mails (`_courier`) so that each change and what it
causes are one atomic write. `account_document` and `account_from` are the one
codec between a document and an `Account` (the commissaires' store uses it too)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from chassis.mail import COURIER_FIELD, Mail, courier_indexes, push_mail, with_mail
from chassis.mongo import Document, IndexSpec, MongoDatabase, ascending
from chassis.outbox import Outbox
from contracts import Event, PersonKind
from identity.domain.accounts import (
    MEMBER,
    Account,
    AccountCredentials,
    AccountLink,
    AccountStatus,
    Civility,
    LegacyOrigin,
    MailedLink,
    Notice,
)
from identity.domain.support import AuditEntry, ChangeValue, FieldChange

ACCOUNTS = "accounts"
INDEXES: list[IndexSpec] = [
    ascending(ACCOUNTS, "email", unique=True),
    ascending(ACCOUNTS, "legacy_id"),
    *courier_indexes(ACCOUNTS),
]
AUDIT = "support_audit"
# What an `Account` is read from: never the outbox, the courier, the trail nor the password hash.
WITH_HASH = {"_outbox": 0, COURIER_FIELD: 0, AUDIT: 0}
HIDDEN = {**WITH_HASH, "password_hash": 0}


def link_document(link: MailedLink) -> Document:
    return {"expires_at": link.expires_at, "sent_at": link.sent_at}


def account_document(account: Account, password_hash: str | None) -> Document:
    """The stored account (only the fields it has: a customer's document names no company)."""
    document: Document = {
        "_id": account.account_id,
        "email": account.email,
        "account_kind": account.account_kind,
        "roles": list(account.roles),
        "password_hash": password_hash,
        "status": account.status,
        "person_kind": account.person_kind,
        "display_name": account.display_name,
        "registered_at": account.registered_at,
    }
    optional: Document = {
        "activated_at": account.activated_at,
        "office_id": account.office_id,
        "created_by": account.created_by,
        "sessions_revoked_before": account.sessions_revoked_before,
    }
    if account.legacy is not None:
        optional |= {
            "legacy_id": account.legacy.legacy_id,
            "legacy_login": account.legacy.login,
            "contract_reference": account.legacy.contract_reference,
        }
    document |= {name: value for name, value in optional.items() if value is not None}
    document |= {
        "civility": account.civility,
        "last_name": account.last_name,
        "first_name": account.first_name,
        "company_name": account.company_name,
        "legal_form": account.legal_form,
        "siret": account.siret,
        "address": _address(account.address),
    }
    return document


def _address(parts: Mapping[str, str | None] | None) -> dict[str, str | None] | None:
    return dict(parts) if parts is not None else None


def account_from(doc: Document) -> Account:
    legacy_id = doc.get("legacy_id")
    return Account(
        account_id=str(doc["_id"]),
        email=doc["email"],
        account_kind=doc.get("account_kind", MEMBER),
        roles=tuple(doc.get("roles", ())),
        status=AccountStatus(doc["status"]),
        person_kind=PersonKind(doc["person_kind"]),
        display_name=doc["display_name"],
        registered_at=doc["registered_at"],
        activated_at=doc.get("activated_at"),
        civility=Civility(doc["civility"]) if doc.get("civility") else None,
        last_name=doc.get("last_name"),
        first_name=doc.get("first_name"),
        company_name=doc.get("company_name"),
        legal_form=doc.get("legal_form"),
        siret=doc.get("siret"),
        address=_address(doc.get("address")),
        legacy=LegacyOrigin(legacy_id, doc.get("legacy_login", ""), doc.get("contract_reference"))
        if legacy_id
        else None,
        office_id=doc.get("office_id"),
        sessions_revoked_before=doc.get("sessions_revoked_before"),
        created_by=doc.get("created_by"),
    )


def _stored_value(value: ChangeValue) -> str | dict[str, str | None] | None:
    return _address(value) if isinstance(value, Mapping) else value


def audit_document(entry: AuditEntry) -> Document:
    return {
        "id": entry.entry_id,
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_email": entry.actor_email,
        "reason": entry.reason,
        "changes": {
            name: {"from": _stored_value(change.before), "to": _stored_value(change.after)}
            for name, change in entry.changes.items()
        },
    }


def audit_from(doc: Document) -> AuditEntry:
    return AuditEntry(
        entry_id=doc["id"],
        at=doc["at"],
        actor_id=doc["actor_id"],
        actor_email=doc.get("actor_email"),
        reason=doc["reason"],
        changes={name: FieldChange(change.get("from"), change.get("to")) for name, change in doc["changes"].items()},
    )


def not_sent_since(stamp: str, sent_before: datetime) -> Document:
    """The condition of the resend throttle: no mail of this kind went out after `sent_before`."""
    return {"$or": [{stamp: {"$exists": False}}, {stamp: {"$lte": sent_before}}]}


class AccountStore:
    """`identity.ports.AccountStore` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._accounts = db[ACCOUNTS]
        self._outbox = outbox

    def _written(self, modified: int) -> bool:
        """After a write that carried events: the relay wakes up when it was made."""
        if modified:
            self._outbox.notify()
        return modified == 1

    async def add(
        self,
        account: Account,
        password_hash: str,
        events: Sequence[Event],
        mails: Sequence[Mail] = (),
        activation: MailedLink | None = None,
    ) -> bool:
        document = account_document(account, password_hash)
        if activation is not None:
            document[AccountLink.ACTIVATION] = link_document(activation)
        entries = [mail.entry(account.registered_at) for mail in mails]
        try:
            await self._accounts.insert_one(with_mail(self._outbox.new_document(document, *events), *entries))
        except DuplicateKeyError:
            return False
        self._outbox.notify()
        return True

    async def _one(self, query: Document) -> Account | None:
        doc = await self._accounts.find_one(query, HIDDEN)
        return account_from(doc) if doc is not None else None

    async def by_email(self, email: str) -> Account | None:
        return await self._one({"email": email})

    async def by_id(self, account_id: str) -> Account | None:
        return await self._one({"_id": account_id})

    async def credentials(self, email: str) -> AccountCredentials | None:
        doc = await self._accounts.find_one({"email": email}, WITH_HASH)
        return AccountCredentials(account_from(doc), doc.get("password_hash")) if doc is not None else None

    async def active_by_legacy_id(self, legacy_id: str) -> Account | None:
        return await self._one({"legacy_id": legacy_id, "status": AccountStatus.ACTIVE})

    async def activate(self, account_id: str, now: datetime, events: Sequence[Event]) -> bool:
        result = await self._accounts.update_one(
            {"_id": account_id, "status": AccountStatus.PENDING_ACTIVATION},
            self._outbox.update(
                {"$set": {"status": AccountStatus.ACTIVE, "activated_at": now}, "$unset": {AccountLink.ACTIVATION: ""}},
                *events,
            ),
        )
        return self._written(result.modified_count)

    async def notify(
        self, account_id: str, notice: Notice, mail: Mail, *, now: datetime, sent_before: datetime
    ) -> bool:
        stamp = f"notices.{notice.value}_at"
        result = await self._accounts.update_one(
            {"_id": account_id, **not_sent_since(stamp, sent_before)},
            push_mail({"$set": {stamp: now}}, mail.entry(now)),
        )
        return result.modified_count == 1

    async def send_link(
        self, account_id: str, kind: AccountLink, link: MailedLink, mail: Mail, sent_before: datetime
    ) -> bool:
        result = await self._accounts.update_one(
            {"_id": account_id, "status": kind.status, **not_sent_since(f"{kind.value}.sent_at", sent_before)},
            push_mail({"$set": {kind.value: link_document(link)}}, mail.entry(link.sent_at)),
        )
        return result.modified_count == 1

    async def reset_password(
        self, account_id: str, password_hash: str, now: datetime, events: Sequence[Event], mail: Mail
    ) -> bool:
        result = await self._accounts.update_one(
            {"_id": account_id, "status": AccountStatus.ACTIVE},
            self._outbox.update(
                push_mail(
                    {
                        "$set": {
                            "password_hash": password_hash,
                            "sessions_revoked_before": now,
                            "password_changed_at": now,
                        },
                        "$unset": {AccountLink.RECOVERY: ""},
                    },
                    mail.entry(now),
                ),
                *events,
            ),
        )
        return self._written(result.modified_count)

    async def announce(self, account_id: str, events: Sequence[Event]) -> None:
        result = await self._accounts.update_one({"_id": account_id}, self._outbox.update({}, *events))
        self._written(result.modified_count)

    async def replace_hash(self, account_id: str, old_hash: str, new_hash: str) -> None:
        await self._accounts.update_one(
            {"_id": account_id, "password_hash": old_hash}, {"$set": {"password_hash": new_hash}}
        )

    async def apply_support_change(
        self, account_id: str, entry: AuditEntry, display_name: str, events: Sequence[Event]
    ) -> Account | None:
        """The change, its audit entry and its event, in one write (the trail is only ever appended to)."""
        fields = {name: _stored_value(change.after) for name, change in entry.changes.items()}
        updated = await self._accounts.find_one_and_update(
            {"_id": account_id},
            self._outbox.update(
                {"$set": {**fields, "display_name": display_name}, "$push": {AUDIT: audit_document(entry)}}, *events
            ),
            projection=HIDDEN,
            return_document=ReturnDocument.AFTER,
        )
        if updated is None:
            return None
        self._outbox.notify()
        return account_from(updated)

    async def audit_trail(self, account_id: str) -> list[AuditEntry] | None:
        doc = await self._accounts.find_one({"_id": account_id}, {AUDIT: 1})
        return [audit_from(raw) for raw in doc.get(AUDIT, [])] if doc is not None else None

    async def add_role(self, email: str, role: str) -> bool:
        result = await self._accounts.update_one({"email": email, "roles": {"$ne": role}}, {"$push": {"roles": role}})
        return result.modified_count == 1

    async def remove_role(self, email: str, role: str) -> bool:
        result = await self._accounts.update_one({"email": email}, {"$pull": {"roles": role}})
        return result.modified_count == 1
