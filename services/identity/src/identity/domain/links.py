"""The purposes of identity's single-use links and tickets (`chassis.tokens`): a token of one
purpose never opens another. Each token's subject is what it opens: an account id (activation,
recovery, commissaire invitation), an order email (first connection), a legacy id (migration)."""

from __future__ import annotations

ACTIVATION = "account-activation"
RECOVERY = "password-recovery"
FIRST_CONNECTION = "first-connection"
MIGRATION_TICKET = "legacy-migration"
COMMISSAIRE_INVITATION = "commissaire-invitation"
