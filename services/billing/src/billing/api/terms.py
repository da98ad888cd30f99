"""The terms of use in force: what a creditor reads, then accepts at onboarding (public)."""

from __future__ import annotations

from datetime import date
from importlib import resources

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from billing.api.deps import BillingDep

router = APIRouter(tags=["terms"])
TERMS_PATH = "/terms"


class TermsPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": "2026-01",
                    "effective_date": "2026-01-01",
                    "text": "# Conditions générales d'utilisation de creditdesk — version 2026-01\n...",
                    "accept_at": "PUT /api/billing/profiles/me/terms-acceptance",
                }
            ]
        }
    )
    version: str = Field(description="What to send to PUT /profiles/me/terms-acceptance.")
    effective_date: date
    text: str = Field(description="The terms, in Markdown (French).")
    accept_at: str


def terms_text(version: str) -> str:
    """The text of a version of the terms, shipped with the service (`billing/terms/<version>.md`)."""
    return resources.files("billing").joinpath("terms", f"{version}.md").read_text(encoding="utf-8")


@router.get(TERMS_PATH, operation_id="get_terms_of_use", response_model=TermsPublic)
async def get_terms(billing: BillingDep) -> TermsPublic:
    """The terms of use in force (no login needed): the version a creditor accepts, its date and its text."""
    settings = billing.settings
    return TermsPublic(
        version=settings.terms_version,
        effective_date=settings.terms_effective_date,
        text=terms_text(settings.terms_version),
        accept_at="PUT /api/billing/profiles/me/terms-acceptance",
    )
