"""What the portal's browser tests share: a person registering, activating by the mailed
link, logging in; the mail and SMS sinks read like an inbox; API shortcuts for journeys
that do not test onboarding themselves.

Pages are driven by their labels (French, the default locale), as a person reads them.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.mailbox import Mail
from devstack.stack import Stack
from portal.web.forms import field_id
from tests.e2e.helpers import PASSWORD, activated_creditor, merchant, new_email, new_siret, sms_code

__all__ = [
    "PASSWORD",
    "activation_url",
    "inbox",
    "login",
    "logout",
    "new_email",
    "new_siret",
    "onboarded_creditor",
    "portal_link",
    "register",
    "register_and_activate",
    "sms_code",
]

# A mailed link to a portal page, its token in the fragment: http://host:port/activation#token=...
PORTAL_LINK = r"https?://[^\s<>\"']+{page}#token=[\w-]+"


async def inbox(
    stack: Stack, address: str, subject: str | None = None, contains: str | None = None, timeout: float = 60
) -> Mail:
    """The first mail to `address` whose subject contains `subject` and whose text contains
    `contains` (either optional), as a person opens their inbox."""

    def wanted(mail: Mail) -> bool:
        return (subject is None or subject in mail.subject) and (contains is None or contains in mail.text)

    return await stack.mailbox.wait_for(address, wanted, timeout=timeout)


def portal_link(mail: Mail, page: str) -> str:
    """The mail's link to the portal page `page` (e.g. "/activation", "/recovery"), fragment included."""
    match = re.search(PORTAL_LINK.format(page=re.escape(page)), mail.text)
    assert match, f"no link to {page} in:\n{mail.text}"
    return match.group(0)


def activation_url(mail: Mail) -> str:
    return portal_link(mail, "/activation")


async def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page; ends on the page the portal sends the person to."""
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


async def logout(page: Page) -> None:
    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()


async def register(page: Page, email: str, *, kind: str = "natural", **fields: str) -> None:
    """Fill and send the registration form as a natural (`kind="natural"`) or legal person;
    `fields` overrides a value by field name (e.g. `siret="123"`). Ends on the page shown
    after sending (the "taken into account" page, or the form with its errors)."""
    values: dict[str, str] = {
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "last_name": "Martin",
        "first_name": "Jeanne",
        "company_name": "ACME Recouvrement",
        "siret": new_siret(),
        "address.line": "1 avenue des Champs",
        "address.complement": "Bâtiment B",
        "address.postal_code": "75008",
        "address.city": "Paris",
        **fields,
    }
    await page.goto("/register")
    await page.get_by_label("Personne morale" if kind == "legal" else "Personne physique").check()
    await page.locator("#f-email").fill(email)
    for name, value in values.items():
        if name in ("civility", "legal_form"):
            continue
        if kind != "legal" and name in ("company_name", "siret"):
            continue
        await page.locator("#" + field_id(name)).fill(value)
    await page.locator("#f-civility").select_option(values.get("civility", "mrs"))
    if kind == "legal":
        await page.locator("#f-legal_form").select_option(values.get("legal_form", "SAS"))
    await page.get_by_role("button", name="S'inscrire").click()


async def register_and_activate(page: Page, stack: Stack, *, kind: str = "natural", email: str | None = None) -> str:
    """Register through the portal, open the activation mail's link: an active account, its email."""
    email = email or new_email()
    await register(page, email, kind=kind)
    await expect(page.get_by_text("Votre inscription a bien été prise en compte")).to_be_visible()
    await page.goto(activation_url(await inbox(stack, email)))
    await expect(page.get_by_text("Votre compte a été activé")).to_be_visible()
    return email


async def activated_account(stack: Stack, http: httpx.AsyncClient) -> str:
    """API shortcut: an activated legal person whose billing profile is open (not onboarded): its email."""
    email, _auth = await activated_creditor(stack, http)
    return email


async def onboarded_creditor(stack: Stack, http: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    """API shortcut: an onboarded creditor (bank details, terms, signed mandate), for journeys
    that do not test onboarding: (email, auth headers); log in with `login(page, email)`."""
    email, auth = await merchant(stack, http)
    return email, auth
