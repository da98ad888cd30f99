"""Events owned by teams."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

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
