"""The purposes of identity's single-use links and tickets (`chassis.tokens`): a token of one
purpose never opens another. Each token's subject is what it opens: an account id (activation,
recovery, commissaire invitation), an order email (first connection), a legacy id (migration)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ACTIVATION = "account-activation"
RECOVERY = "password-recovery"
FIRST_CONNECTION = "first-connection"
MIGRATION_TICKET = "legacy-migration"
COMMISSAIRE_INVITATION = "commissaire-invitation"


@dataclass(frozen=True)
class MailedLink:
    """What a document keeps of the latest link mailed for it (activation, recovery, first
    connection, commissaire invitation): when it was sent (the resend throttle) and until when
    it opens. The link itself is a `chassis.tokens` token."""

    expires_at: datetime
    sent_at: datetime
