"""Identity's HTTP routes, one module per flow, gathered in one router."""

from __future__ import annotations

from fastapi import APIRouter

from identity.api import accounts, customers, legacy, recovery, sessions, support

router = APIRouter()
for module in (accounts, sessions, recovery, customers, legacy, support):
    router.include_router(module.router)
