"""Issue #15, 2: the terms in force are discoverable, through the gateway.

A public route serves them (version, effective date, text); the onboarding 422
names that route; the profile shows the terms in force and, once accepted, the
accepted version."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import activated_creditor

pytestmark = pytest.mark.e2e


async def test_the_terms_in_force_are_served_named_by_the_refusal_and_shown_once_accepted(
    running_services: Stack,
) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        terms = await http.get("/api/billing/terms")  # no login
        assert terms.status_code == 200, terms.text
        body = terms.json()
        assert body["version"] == "2026-01"
        assert body["effective_date"] == "2026-01-01"
        assert "version 2026-01" in body["text"]

        _, auth = await activated_creditor(stack, http)
        profile = (await http.get("/api/billing/profiles/me", headers=auth)).json()
        assert profile["terms_in_force"] == {
            "version": "2026-01",
            "effective_date": "2026-01-01",
            "read_at": "GET /api/billing/terms",
        }
        assert profile["onboarding"]["terms_version"] is None

        refused = await http.put("/api/billing/profiles/me/terms-acceptance", json={"version": "2025"}, headers=auth)
        assert refused.status_code == 422, refused.text
        assert "GET /api/billing/terms" in refused.json()["detail"]

        accepted = await http.put(
            "/api/billing/profiles/me/terms-acceptance", json={"version": body["version"]}, headers=auth
        )
        assert accepted.status_code == 200, accepted.text
        profile = (await http.get("/api/billing/profiles/me", headers=auth)).json()
        assert profile["onboarding"]["terms_version"] == "2026-01"
        assert profile["onboarding"]["terms_accepted_at"] is not None
