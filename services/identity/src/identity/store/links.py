"""Identity's single-use links and tickets live in the chassis' tokens collection (`chassis.tokens`,
ADR 0034). Until that change each flow kept its token's hash inside its own document; those hashes
(the same SHA-256) are adopted into the tokens collection at start, so a link mailed before the
change still opens, once, until its own expiry."""

from __future__ import annotations

from chassis.mongo import MongoDatabase
from chassis.tokens import adopt_embedded
from identity.domain.links import ACTIVATION, COMMISSAIRE_INVITATION, FIRST_CONNECTION, MIGRATION_TICKET, RECOVERY
from identity.store.accounts import ACCOUNTS
from identity.store.customers import ORDER_EMAILS
from identity.store.legacy import LEGACY_ACCOUNTS

# (collection, field that held {hash, expires_at[, sent_at]}, purpose)
EMBEDDED = [
    (ACCOUNTS, "activation", ACTIVATION),
    (ACCOUNTS, "recovery", RECOVERY),
    (ACCOUNTS, "invitation", COMMISSAIRE_INVITATION),
    (ORDER_EMAILS, "first_connection", FIRST_CONNECTION),
    (LEGACY_ACCOUNTS, "ticket", MIGRATION_TICKET),
]


async def adopt_embedded_links(db: MongoDatabase) -> int:
    """Move every hash still embedded in identity's documents into the tokens collection; how many."""
    adopted = 0
    for collection, field, purpose in EMBEDDED:
        issued = f"{field}.sent_at" if field != "ticket" else f"{field}.expires_at"
        adopted += await adopt_embedded(
            db, collection, f"{field}.hash", purpose, expires=f"{field}.expires_at", issued=issued
        )
    return adopted
