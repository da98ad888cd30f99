"""Events owned by teams."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field, field_validator

from contracts.base import Event, event_type
from contracts.events.common import SIREN


class Right(StrEnum):
    """The six rights an admin grants to a company's members (DOMAIN.md, teams)."""

    VIEW_FINANCIAL_DOCUMENTS = "view_financial_documents"
    MANAGE_FUNDS = "manage_funds"
    HANDLE_COMPANY_REQUESTS = "handle_company_requests"
    ACCESS_TREASURY = "access_treasury"
    CHANGE_BANK_DETAILS = "change_bank_details"
    REQUEST_EARLY_BUYOUT = "request_early_buyout"


@event_type(owner="teams", version=1, subject="company_id")
class MemberRightsChanged(Event):
    """A member's rights in a company, in full, after a change.

    Carrying the whole set (not a delta) lets a consumer rebuild its view from
    the latest event alone; `revision` orders changes of one membership.
    """

    company_id: str = SIREN
    member_id: str = Field(description="Account id of the member.")
    rights: tuple[Right, ...]
    revision: int = Field(ge=1)
    changed_by: str = Field(description="Account id of the admin who made the change.")

    @field_validator("rights")
    @classmethod
    def _sorted_unique(cls, rights: tuple[Right, ...]) -> tuple[Right, ...]:
        return tuple(sorted(set(rights)))


@event_type(owner="teams", version=1, subject="company_id")
class MemberRemoved(Event):
    """A member left the company's space or was removed: no rights any more.

    `revision` continues the membership's sequence of MemberRightsChanged, so a
    consumer applying events by revision cannot resurrect a removed member.
    """

    company_id: str = SIREN
    member_id: str = Field(description="Account id of the member.")
    revision: int = Field(ge=1)
    removed_by: str = Field(description="Account id of the admin who removed the member (or the member).")


class ContractKind(StrEnum):
    """Kinds of financing contract a right may be limited to (source: 004)."""

    CLUB = "club"
    CBM = "cbm"  # crédit-bail mobilier (equipment lease)
    LOCFI = "locfi"  # location financière (equipment financial lease)
    OTHER = "other"


# Rights that only ever apply to some kinds of contract; the others apply to all.
RIGHT_CONTRACT_KINDS: dict[Right, frozenset[ContractKind]] = {
    Right.MANAGE_FUNDS: frozenset({ContractKind.CLUB}),
    Right.REQUEST_EARLY_BUYOUT: frozenset({ContractKind.CBM, ContractKind.LOCFI}),
}


def right_covers_contract(right: Right, contract_kind: ContractKind) -> bool:
    """Whether holding `right` lets a member act on a contract of this kind."""
    kinds = RIGHT_CONTRACT_KINDS.get(right)
    return kinds is None or contract_kind in kinds


@event_type(owner="teams", version=1, subject="company_id")
class InvitationSent(Event):
    """An admin confirmed an invitation with the SMS code: the invitee was mailed a link."""

    invitation_id: str
    company_id: str = SIREN
    email: str = Field(description="Where the invitation link was sent.")
    rights: tuple[Right, ...] = Field(description="Rights the invitee will hold on joining.")
    invited_by: str = Field(description="Account id of the admin who invited.")
    expires_at: AwareDatetime = Field(description="When the invitation link stops working.")


@event_type(owner="teams", version=1, subject="company_id")
class MemberJoined(Event):
    """An invitee accepted the invitation: they are a member of the company's space.

    Their rights follow in a MemberRightsChanged written with this event.
    """

    company_id: str = SIREN
    member_id: str = Field(description="Account id of the new member.")
    invitation_id: str
    email: str
    rights: tuple[Right, ...]
