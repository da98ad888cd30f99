"""ResendInvitation: support mails a new activation link to a commissaire who
has not activated yet; the previous link stops working."""

from __future__ import annotations

from chassis.auth import Caller
from chassis.errors import Conflict, NotFound
from identity.domain.accounts import AccountStatus
from identity.domain.commissaires import Commissaire
from identity.domain.links import COMMISSAIRE_INVITATION
from identity.handlers.commissaires import CommissaireDeps
from identity.handlers.commissaires.invitation import new_invitation
from identity.handlers.support import require_support


async def resend_invitation(deps: CommissaireDeps, caller: Caller, account_id: str) -> Commissaire:
    require_support(caller)
    commissaire = await deps.store.by_id(account_id)
    if commissaire is None:
        raise NotFound("no commissaire account has this id", code="commissaire-not-found")
    if commissaire.status is not AccountStatus.INVITED:
        raise Conflict("this commissaire has already activated the account", code="commissaire-active")
    token, invitation, mail = await new_invitation(deps, commissaire)
    if not await deps.store.renew_invitation(account_id, invitation, mail):
        await deps.tokens.consume(COMMISSAIRE_INVITATION, token)
        raise Conflict("this commissaire has already activated the account", code="commissaire-active")
    await deps.tokens.revoke(COMMISSAIRE_INVITATION, account_id, keep=token)  # the previous link stops working
    deps.mail_queued()
    return commissaire
