"""The login page as anyone first sees it, and a login of an existing account."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.stack import Stack
from tests.browser.helpers import activated_account, login

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]


async def test_the_login_page_loads_in_french_and_is_accessible(page: Page, shot: Shot, axe: Axe) -> None:
    response = await page.goto("/login")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in (await response.all_headers())["content-security-policy"]
    await expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    await expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()
    await axe(page)
    await shot(page, "login")


async def test_a_person_logs_in_and_out(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot, axe: Axe
) -> None:
    email = await activated_account(running_services, http)
    await login(page, email)
    await expect(page.get_by_role("heading", name=re.compile("Bienvenue"))).to_be_visible()
    await axe(page)
    await shot(page, "home")
    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
