"""Billing's HTTP routes."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from billing.store.profiles import ProfileStore
from chassis.auth import CurrentCaller
from chassis.errors import NotFound
from chassis.service import RuntimeDep

router = APIRouter(prefix="/profiles", tags=["profiles"])


class ProfilePublic(BaseModel):
    account_id: str
    email: str
    person_kind: str
    display_name: str
    siren: str | None
    status: str
    opened_at: datetime


@router.get(
    "/me",
    operation_id="get_my_billing_profile",
    response_model=ProfilePublic,
    responses={401: {"description": "No valid token"}, 404: {"description": "No profile yet"}},
)
async def get_my_profile(caller: CurrentCaller, runtime: RuntimeDep) -> ProfilePublic:
    """The caller's billing profile, opened when their account was activated."""
    profile = await ProfileStore(runtime.db).get(caller.account_id)
    if profile is None:
        raise NotFound("no billing profile for this account yet: it opens once the account is activated")
    return ProfilePublic(
        account_id=profile.account_id,
        email=profile.email,
        person_kind=profile.person_kind,
        display_name=profile.display_name,
        siren=profile.siren,
        status=profile.status,
        opened_at=profile.opened_at,
    )
