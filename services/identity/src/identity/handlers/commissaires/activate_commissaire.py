"""ActivateCommissaire: the invitation's single-use token and the chosen
password (twice, under the password policy) activate the account, once."""

from __future__ import annotations

from chassis.errors import Problem
from identity.domain.commissaires import Commissaire
from identity.domain.passwords import new_password_problems
from identity.domain.tokens import hash_secret
from identity.handlers.commissaires import CommissaireDeps
from identity.handlers.recovery import PasswordRefused


def invalid_invitation() -> Problem:
    return Problem(
        "this activation link is invalid, already used or expired: ask support for a new one",
        status=400,
        code="invitation-invalid",
        title="Invalid activation link",
    )


async def invited(deps: CommissaireDeps, token: str) -> Commissaire:
    """The commissaire whose live invitation this is (CheckInvitation)."""
    found = await deps.store.by_invitation(hash_secret(token))
    if found is None or not found[1].usable(deps.now()):
        raise invalid_invitation()
    return found[0]


async def activate_commissaire(deps: CommissaireDeps, token: str, password: str, confirmation: str) -> Commissaire:
    commissaire = await invited(deps, token)
    problems = new_password_problems(password, confirmation, commissaire.email)
    if problems:
        raise PasswordRefused(problems)
    if not await deps.store.activate(
        commissaire.account_id, hash_secret(token), await deps.hash_password(password), deps.now()
    ):
        raise invalid_invitation()
    return commissaire
