"""Identity's HTTP routes, one module per flow, gathered in one router."""

from __future__ import annotations

from fastapi import APIRouter

from identity.api import accounts, clients, commissaires, customers, legacy, mailbox, recovery, sessions, support

router = APIRouter()
for module in (accounts, sessions, clients, recovery, customers, legacy, support, mailbox, commissaires):
    router.include_router(module.router)
