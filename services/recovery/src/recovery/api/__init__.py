"""Recovery's HTTP API (parse, call a handler, shape the answer), mounted by the app under the
gateway's `/api/recovery`:

- `creditor`: `/cases`, a member files, follows, withdraws, downloads, asks for the injunction request;
- `commissaire`: `/office/cases`, an office's cases, its answers and records;
- `debtor`: `/debtor-space`, the debtor's single-use link, no account.

The app sets `app.state.recovery` (`RecoveryPorts`) and `app.state.recovery_api`
(`deps.RecoveryApiPorts`) and includes `routers`.
"""

from __future__ import annotations

from fastapi import APIRouter

from recovery.api import commissaire, creditor, debtor

routers: list[APIRouter] = [creditor.router, commissaire.router, debtor.router]
# The filing form carries the proofs: it may be larger than the chassis' 1 MiB (settings'
# `document_paths`, `max_document_bytes`).
DOCUMENT_PATHS: tuple[str, ...] = ("/cases",)

__all__ = ["DOCUMENT_PATHS", "routers"]
