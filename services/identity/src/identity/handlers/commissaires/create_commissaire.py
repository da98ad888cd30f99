"""CreateCommissaire: support creates a commissaire de justice account bound
to an office; the invitation mail carries the single-use activation link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.auth import Caller
from chassis.errors import Conflict, invalid_field
from identity.domain.accounts import AccountStatus, Civility
from identity.domain.commissaires import Commissaire, office_id_problem
from identity.domain.links import COMMISSAIRE_INVITATION
from identity.handlers.commissaires import CommissaireDeps
from identity.handlers.commissaires.invitation import new_invitation
from identity.handlers.support import require_support


@dataclass(frozen=True)
class CreateCommissaire:
    email: str
    first_name: str
    last_name: str
    office_id: str
    civility: Civility | None = None


async def create_commissaire(deps: CommissaireDeps, caller: Caller, command: CreateCommissaire) -> Commissaire:
    require_support(caller)
    problem = office_id_problem(command.office_id)
    if problem:
        raise invalid_field("office_id", problem)
    commissaire = Commissaire(
        account_id=uuid.uuid4().hex,
        email=command.email.strip().lower(),
        civility=command.civility,
        first_name=command.first_name.strip(),
        last_name=command.last_name.strip(),
        office_id=command.office_id,
        status=AccountStatus.INVITED,
        created_by=caller.account_id,
        created_at=deps.now(),
    )
    token, invitation, mail = await new_invitation(deps, commissaire)
    if not await deps.store.create(commissaire, invitation, mail):
        await deps.tokens.consume(COMMISSAIRE_INVITATION, token)  # no account took this id
        raise Conflict("an account already has this email", code="email-taken")
    deps.mail_queued()
    return commissaire
