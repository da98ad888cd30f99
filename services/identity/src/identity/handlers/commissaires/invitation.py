"""A fresh invitation (single-use link, `chassis.tokens`) and its mail."""

from __future__ import annotations

from chassis.mail import Mail
from identity.domain.commissaires import Commissaire, Invitation
from identity.domain.links import COMMISSAIRE_INVITATION
from identity.handlers.commissaires import ACTIVATION_PAGE, CommissaireDeps
from identity.mail.commissaire_templates import commissaire_invitation_mail


async def new_invitation(deps: CommissaireDeps, commissaire: Commissaire) -> tuple[str, Invitation, Mail]:
    """The link's token (to revoke the older ones once the mail is queued), the invitation, its mail."""
    now = deps.now()
    invitation = Invitation(now + deps.invitation_ttl, now)
    token = await deps.tokens.issue(COMMISSAIRE_INVITATION, commissaire.account_id, expires_at=invitation.expires_at)
    hours = int(deps.invitation_ttl.total_seconds() // 3600)
    link = deps.page_link(ACTIVATION_PAGE, token)
    mail = deps.mail(commissaire.email, commissaire_invitation_mail(link, commissaire.display_name, hours))
    return token, invitation, mail
