"""The debtor space's links on the chassis' single-use tokens (`chassis.tokens`): only a token's
hash is stored. The link is the debtor space's page at the public address with the token in its
fragment (`/debtor-space#token=...`), as identity's portal pages do: a browser never sends a fragment,
so no access log or proxy keeps the token; the page posts it in the body of the API's debtor routes
(`/api/recovery/debtor-space/...`, ADR 0023)."""

from __future__ import annotations

from datetime import datetime

from chassis.tokens import Tokens
from recovery.ports import DebtorLink

PURPOSE = "debtor-space"
DEBTOR_SPACE_PAGE = "/debtor-space"


class TokenDebtorLinks:
    """Implements `recovery.ports.DebtorLinks`."""

    def __init__(self, tokens: Tokens, public_base_url: str) -> None:
        self._tokens = tokens
        self._base = public_base_url.rstrip("/")

    async def issue(self, case_id: str, *, expires_at: datetime) -> DebtorLink:
        token = await self._tokens.issue(PURPOSE, case_id, expires_at=expires_at)
        return DebtorLink(token, f"{self._base}{DEBTOR_SPACE_PAGE}#token={token}")

    async def case_of(self, token: str) -> str | None:
        record = await self._tokens.peek(PURPOSE, token)
        return record.subject if record else None

    async def use(self, token: str) -> str | None:
        record = await self._tokens.consume(PURPOSE, token)
        return record.subject if record else None
