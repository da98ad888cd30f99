"""ActivateCommissaire: the invitation's single-use token and the chosen
password (twice, under the password policy) activate the account, once."""

from __future__ import annotations

from chassis.errors import Problem
from identity.domain.accounts import AccountStatus
from identity.domain.commissaires import Commissaire
from identity.domain.links import COMMISSAIRE_INVITATION
from identity.domain.passwords import PasswordRefused, new_password_problems
from identity.handlers.commissaires import CommissaireDeps


def invalid_invitation() -> Problem:
    return Problem(
        "this activation link is invalid, already used or expired: ask support for a new one",
        code="invitation-invalid",
    )


async def invited(deps: CommissaireDeps, token: str) -> Commissaire:
    """The commissaire whose live invitation this is (CheckInvitation)."""
    link = await deps.tokens.peek(COMMISSAIRE_INVITATION, token)
    commissaire = await deps.store.by_id(link.subject) if link else None
    if commissaire is None or commissaire.status is not AccountStatus.INVITED:
        raise invalid_invitation()
    return commissaire


async def activate_commissaire(deps: CommissaireDeps, token: str, password: str, confirmation: str) -> Commissaire:
    commissaire = await invited(deps, token)
    problems = new_password_problems(password, confirmation, commissaire.email)
    if problems:
        raise PasswordRefused(problems)
    password_hash = await deps.hash_password(password)
    if await deps.tokens.consume(COMMISSAIRE_INVITATION, token) is None:
        raise invalid_invitation()
    if not await deps.store.activate(commissaire.account_id, password_hash, deps.now()):
        raise invalid_invitation()
    return commissaire
