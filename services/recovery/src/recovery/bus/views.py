"""Recovery's local views of other services' facts, built from their events alone (no call out).

- mandates (billing's `MandateSigned`, `MandateRevoked`, `MandateRefused`): whether a creditor holds
  a signed SEPA mandate, which filing requires;
- creditors (identity's `AccountRegistered`, `AccountActivated`, `AccountDetailsChanged`): the name,
  email and SIREN the letters show;
- the company rights view is the chassis' (`chassis.rights`, teams' events).

Each view keeps, per account, the instant of the newest event applied (`as_of`): an older event
arriving late (redelivery, replay, another partition) changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from chassis.mongo import Document, IndexSpec, MongoDatabase
from contracts.events.common import PostalAddress as ContractAddress
from recovery.domain.claims import PostalAddress, department_of
from recovery.ports import KnownCreditor

MANDATES_VIEW = "mandates_view"
CREDITORS_VIEW = "creditors_view"
VIEW_INDEXES: list[IndexSpec] = []  # both keyed by _id (the account id)

SIGNED, REVOKED, REFUSED = "signed", "revoked", "refused"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # older than any event: the entry's first event still applies


async def _newest(collection: AsyncCollection[Document], account_id: str, at: datetime, fields: Document) -> bool:
    """Set `fields` on the account's entry unless a newer event was applied already."""
    try:
        result = await collection.update_one(
            {"_id": account_id, "as_of": {"$lte": at}}, {"$set": {**fields, "as_of": at}}, upsert=True
        )
    except DuplicateKeyError:
        return False  # the entry exists with a newer `as_of`
    return result.modified_count == 1 or result.upserted_id is not None


class MandateView:
    """Implements `recovery.ports.MandateView`."""

    def __init__(self, db: MongoDatabase) -> None:
        self._view = db[MANDATES_VIEW]

    async def record(self, account_id: str, state: str, at: datetime, reference: str = "", reason: str = "") -> bool:
        return await _newest(self._view, account_id, at, {"state": state, "reference": reference, "reason": reason})

    async def signed(self, account_id: str) -> bool:
        document = await self._view.find_one({"_id": account_id}, {"state": 1})
        return bool(document and document.get("state") == SIGNED)


def postal_address(address: ContractAddress | None) -> PostalAddress | None:
    """A contract's address as the letters use it, or None when absent or outside France."""
    if address is None or address.country != "FR":
        return None
    try:
        department = department_of(address.postal_code.strip())
    except ValueError:
        return None
    return PostalAddress(address.line, address.postal_code.strip(), address.city, department, address.complement or "")


def _address_fields(address: PostalAddress) -> dict[str, str]:
    return {
        "line1": address.line1,
        "line2": address.line2,
        "postcode": address.postcode,
        "city": address.city,
        "department": address.department,
    }


class CreditorView:
    """Implements `recovery.ports.CreditorView`."""

    def __init__(self, db: MongoDatabase) -> None:
        self._view = db[CREDITORS_VIEW]

    async def record(
        self,
        account_id: str,
        at: datetime,
        *,
        name: str,
        email: str | None = None,
        siren: str | None = None,
        address: PostalAddress | None = None,
    ) -> bool:
        fields: Document = {"name": name}
        if email is not None:
            fields["email"] = email
        if siren is not None:
            fields["siren"] = siren
        if address is not None:
            fields["address"] = _address_fields(address)
        return await _newest(self._view, account_id, at, fields)

    async def record_address(self, account_id: str, address: PostalAddress) -> None:
        """The creditor's address (from its mandate): kept whatever the order of the other events."""
        await self._view.update_one(
            {"_id": account_id},
            {"$set": {"address": _address_fields(address)}, "$setOnInsert": {"as_of": EPOCH}},
            upsert=True,
        )

    async def details(self, account_id: str) -> KnownCreditor | None:
        document = await self._view.find_one({"_id": account_id})
        if document is None:
            return None
        raw = document.get("address")
        address = PostalAddress(**raw) if raw else None
        return KnownCreditor(
            name=str(document.get("name", "")),
            address=address,
            email=str(document.get("email", "")),
            siren=str(document.get("siren", "") or ""),
        )
