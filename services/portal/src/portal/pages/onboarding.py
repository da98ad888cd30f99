"""First-login onboarding of a creditor: bank details, billing address, terms, SEPA mandate."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
