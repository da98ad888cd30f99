"""A fresh invitation (single-use link) and its mail."""

from __future__ import annotations

from typing import Any

from identity.domain.commissaires import Commissaire, Invitation
from identity.domain.tokens import expiry, new_secret
from identity.handlers.commissaires import ACTIVATION_PAGE, CommissaireDeps
from identity.mail.commissaire_templates import commissaire_invitation_mail


def new_invitation(deps: CommissaireDeps, commissaire: Commissaire) -> tuple[Invitation, dict[str, Any]]:
    now = deps.now()
    token, token_hash = new_secret()
    invitation = Invitation(token_hash, expiry(now, deps.invitation_ttl), now)
    hours = int(deps.invitation_ttl.total_seconds() // 3600)
    link = deps.page_link(ACTIVATION_PAGE, token)
    mail = deps.mail(commissaire.email, commissaire_invitation_mail(link, commissaire.display_name, hours))
    return invitation, mail
