"""A service's local view of who may do what for which company.

Built from teams' events alone (no call to teams): `MemberRightsChanged`
carries a member's full rights and a revision; `MemberRemoved` ends them. The
newest revision of a membership wins, so redelivery, replay and out-of-order
arrival leave the view as the latest event says.

    view = RightsView(runtime.db)
    subscribe_rights_view(consumer, view)         # in the service's subscribe()
    await view.require(company_id, caller.account_id, Right.CHANGE_BANK_DETAILS)
    await view.require(company_id, caller.account_id, Right.MANAGE_FUNDS, contract_kind=ContractKind.CLUB)

A right held may still not apply to a contract: fund operations are for club contracts, early
buyouts for CBM and LOCFI (`may_act`, on the contracts' `right_covers_contract`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from chassis.consumer import EventConsumer
from chassis.errors import Forbidden
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from contracts import ContractKind, Envelope, MemberRemoved, MemberRightsChanged, Right, right_covers_contract

RIGHTS_VIEW = "rights_view"
RIGHTS_VIEW_INDEXES: list[IndexSpec] = [ascending(RIGHTS_VIEW, "member_id")]


def may_act(held: Iterable[Right], right: Right, contract_kind: ContractKind | None = None) -> bool:
    """Whether a member holding `held` may use `right`, on a contract of `contract_kind` if one is concerned."""
    if right not in set(held):
        return False
    return contract_kind is None or right_covers_contract(right, contract_kind)


class RightsView:
    def __init__(self, db: MongoDatabase) -> None:
        self._view = db[RIGHTS_VIEW]

    async def _set(
        self, company_id: str, member_id: str, rights: tuple[Right, ...], revision: int, at: datetime
    ) -> bool:
        """Store this revision unless a newer one is already there."""
        document = {
            "company_id": company_id,
            "member_id": member_id,
            "rights": [str(r) for r in rights],
            "revision": revision,
            "updated_at": at,
        }
        try:
            result = await self._view.update_one(
                {"_id": f"{company_id}:{member_id}", "revision": {"$lt": revision}}, {"$set": document}, upsert=True
            )
        except DuplicateKeyError:
            return False  # the stored revision is as new or newer: this event is stale
        return result.modified_count == 1 or result.upserted_id is not None

    async def apply_change(self, event: MemberRightsChanged, occurred_at: datetime) -> bool:
        return await self._set(event.company_id, event.member_id, event.rights, event.revision, occurred_at)

    async def apply_removal(self, event: MemberRemoved, occurred_at: datetime) -> bool:
        return await self._set(event.company_id, event.member_id, (), event.revision, occurred_at)

    async def rights_of(self, company_id: str, member_id: str) -> frozenset[Right]:
        document = await self._view.find_one({"_id": f"{company_id}:{member_id}"}, {"rights": 1})
        return frozenset(Right(r) for r in document["rights"]) if document else frozenset()

    async def companies_with(self, member_id: str, right: Right) -> list[str]:
        """The companies in which the member holds `right` (e.g. to list what is shared with them)."""
        cursor = self._view.find({"member_id": member_id}, {"company_id": 1, "rights": 1})
        return sorted({d["company_id"] async for d in cursor if str(right) in d.get("rights", [])})

    async def may(
        self, company_id: str, member_id: str, right: Right, *, contract_kind: ContractKind | None = None
    ) -> bool:
        return may_act(await self.rights_of(company_id, member_id), right, contract_kind)

    async def require(
        self, company_id: str, member_id: str, right: Right, *, contract_kind: ContractKind | None = None
    ) -> None:
        """Raise 403 unless the member holds `right` for the company (and it applies to the contract's kind)."""
        if await self.may(company_id, member_id, right, contract_kind=contract_kind):
            return
        if contract_kind is not None and right in await self.rights_of(company_id, member_id):
            raise Forbidden(
                f"the right '{right}' does not apply to a {contract_kind} contract",
                code="right-not-for-contract",
            )
        raise Forbidden(
            f"you need the right '{right}' for company {company_id}: ask the company's admin in My teams",
            code="missing-right",
        )


def subscribe_rights_view(consumer: EventConsumer, view: RightsView) -> None:
    """Keep `view` up to date from teams' events, in this service's consumer group."""

    @consumer.on(MemberRightsChanged)
    async def update_rights_view(event: MemberRightsChanged, envelope: Envelope) -> None:
        """Stores the member's rights if this revision is the newest seen."""
        await view.apply_change(event, envelope.occurred_at)

    @consumer.on(MemberRemoved)
    async def remove_from_rights_view(event: MemberRemoved, envelope: Envelope) -> None:
        """Clears a removed member's rights if this revision is the newest seen."""
        await view.apply_removal(event, envelope.occurred_at)
