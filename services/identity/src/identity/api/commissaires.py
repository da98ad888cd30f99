"""Commissaire de justice accounts: support creates them (bound to an office),
the commissaire activates with the invitation link and a password."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from chassis.auth import CurrentCaller, NoStore
from chassis.openapi import problems
from identity.api import problems as p
from identity.api.deps import IdentityDep
from identity.api.schemas import LinkStatus, LinkTokenIn, Name, NewPasswordIn
from identity.domain.accounts import Civility
from identity.domain.commissaires import Commissaire
from identity.handlers.commissaires import CommissaireDeps, commissaire_deps
from identity.handlers.commissaires.activate_commissaire import activate_commissaire, invited
from identity.handlers.commissaires.create_commissaire import CreateCommissaire, create_commissaire
from identity.handlers.commissaires.resend_invitation import resend_invitation
from identity.ports import CommissaireStore

router = APIRouter(tags=["commissaires"])
SUPPORT_ERRORS = (*p.AUTH, p.SUPPORT_ONLY)


class CommissaireIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "etude.exemple@example.fr",
                    "civility": "mrs",
                    "first_name": "Claire",
                    "last_name": "Martin",
                    "office_id": "sample-paris-1",
                }
            ]
        },
    )

    email: EmailStr
    civility: Civility | None = None
    first_name: Name
    last_name: Name
    office_id: str = Field(
        min_length=1,
        max_length=64,
        description="The office's id in recovery's commissaires directory (checked for its form only).",
    )


class CommissaireOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_id": "9c2e4b7a1d3f4e6a8b0c2d4e6f8a0b1c",
                    "email": "j.martin@martin-associes.fr",
                    "display_name": "Maître Jeanne Martin",
                    "office_id": "sample-paris-1",
                    "status": "active",
                    "created_at": "2026-12-02T09:00:00Z",
                    "activated_at": "2026-12-02T10:30:00Z",
                }
            ]
        }
    )

    account_id: str
    email: str
    display_name: str
    office_id: str
    status: Literal["invited", "active"]
    created_at: datetime
    activated_at: datetime | None

    @classmethod
    def of(cls, commissaire: Commissaire) -> CommissaireOut:
        return cls(
            account_id=commissaire.account_id,
            email=commissaire.email,
            display_name=commissaire.display_name,
            office_id=commissaire.office_id,
            status=commissaire.status.value,
            created_at=commissaire.created_at,
            activated_at=commissaire.activated_at,
        )


class CommissaireActivated(BaseModel):
    account_id: str
    message: str
    next: str = Field(description="Where to log in.")


def deps_of(request: Request, identity: IdentityDep) -> CommissaireDeps:
    store: CommissaireStore = request.app.state.commissaires
    return commissaire_deps(identity, store)


@router.post(
    "/admin/commissaires",
    status_code=status.HTTP_201_CREATED,
    response_model=CommissaireOut,
    operation_id="support_create_commissaire",
    responses=problems(*SUPPORT_ERRORS, p.EMAIL_TAKEN, p.REFUSED),
)
async def create(body: CommissaireIn, request: Request, caller: CurrentCaller, identity: IdentityDep) -> CommissaireOut:
    """Create a commissaire de justice account bound to an office (support only); the invitation
    mail's single-use link lets the commissaire choose a password and activate it."""
    command = CreateCommissaire(
        email=str(body.email),
        first_name=body.first_name,
        last_name=body.last_name,
        office_id=body.office_id,
        civility=body.civility,
    )
    return CommissaireOut.of(await create_commissaire(deps_of(request, identity), caller, command))


@router.post(
    "/admin/commissaires/{account_id}/invitation",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CommissaireOut,
    operation_id="support_resend_commissaire_invitation",
    responses=problems(*SUPPORT_ERRORS, p.COMMISSAIRE_NOT_FOUND, p.COMMISSAIRE_ACTIVE),
)
async def resend(account_id: str, request: Request, caller: CurrentCaller, identity: IdentityDep) -> CommissaireOut:
    """Mail a new activation link to a commissaire who has not activated yet (support only);
    the previous link stops working."""
    return CommissaireOut.of(await resend_invitation(deps_of(request, identity), caller, account_id))


@router.post(
    "/commissaires/activation/link",
    response_model=LinkStatus,
    operation_id="check_commissaire_invitation",
    responses=problems(p.COMMISSAIRE_LINK_INVALID),
)
async def check(body: LinkTokenIn, request: Request, identity: IdentityDep) -> LinkStatus:
    """Whether the invitation link (token from its fragment) can still be used."""
    await invited(deps_of(request, identity), body.token)
    return LinkStatus(
        status="valid",
        message="choose your password to activate your account",
        submit_to="/api/identity/commissaires/activation",
    )


@router.post(
    "/commissaires/activation",
    response_model=CommissaireActivated,
    operation_id="activate_commissaire",
    dependencies=[NoStore],
    responses=problems(p.COMMISSAIRE_LINK_INVALID, p.REFUSED),
)
async def activate(body: NewPasswordIn, request: Request, identity: IdentityDep) -> CommissaireActivated:
    """Activate a commissaire account with the invitation's token and the chosen password (twice)."""
    commissaire = await activate_commissaire(
        deps_of(request, identity), body.token, body.password, body.password_confirmation
    )
    return CommissaireActivated(
        account_id=commissaire.account_id,
        message="your account is active: log in with your email and this password",
        next="/api/identity/sessions",
    )
