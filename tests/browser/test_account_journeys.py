"""Seed 001's account journeys, as a person does them in a browser: registration as a
legal or a natural person, activation by the mailed link, login and logout, a wrong
password, password recovery by mail, an API error shown next to its field, and the
registration on a phone's width."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.stack import Stack
from tests.browser.helpers import (
    PASSWORD,
    activated_account,
    activation_url,
    inbox,
    login,
    new_email,
    onboarded_creditor,
    portal_link,
    register,
)

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
NEW_PASSWORD = "Autre-Cheval-42?"


async def test_the_login_page_loads_in_french_and_is_accessible(page: Page, shot: Shot, axe: Axe) -> None:
    response = await page.goto("/login")
    assert response is not None
    assert response.status == 200
    headers = await response.all_headers()
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "httponly" in headers["set-cookie"].lower()
    await expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    await expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()
    await axe(page)
    await shot(page, "login")


async def test_a_legal_person_registers_activates_by_mail_and_logs_in(
    page: Page, running_services: Stack, shot: Shot, axe: Axe
) -> None:
    email = new_email()
    await page.goto("/login")
    await page.get_by_role("link", name="S'inscrire").first.click()
    await expect(page.get_by_role("heading", name="Inscription")).to_be_visible()
    await axe(page)
    await shot(page, "register")

    await register(page, email, kind="legal", company_name="Boulangerie Martin")
    await expect(page.get_by_text("Votre inscription a bien été prise en compte.")).to_be_visible()
    await axe(page)
    await shot(page, "registered")

    mail = await inbox(running_services, email)
    link = activation_url(mail)
    assert "#token=" in link  # a portal page, the token in the fragment
    assert "/api/" not in link
    await page.goto(link)
    await expect(page.get_by_text("Votre compte a été activé.")).to_be_visible()
    assert "#token" not in page.url  # portal.js took it out of the address bar
    await axe(page)
    await shot(page, "activated")

    await page.get_by_role("link", name="Se connecter").last.click()
    await login(page, email)
    await expect(page.get_by_text("Boulangerie Martin").first).to_be_visible()


async def test_a_natural_person_registers_on_a_phone(
    phone_page: Page, running_services: Stack, shot: Shot, axe: Axe
) -> None:
    page = phone_page
    email = new_email()
    await page.goto("/register")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the registration page scrolls sideways on a phone ({width}px)"
    await axe(page)
    await shot(page, "register-375px")
    await register(page, email, kind="natural", first_name="Marie", last_name="Durand")
    await expect(page.get_by_text("Votre inscription a bien été prise en compte.")).to_be_visible()
    await page.goto(activation_url(await inbox(running_services, email)))
    await expect(page.get_by_text("Votre compte a été activé.")).to_be_visible()
    await login(page, email)
    # The first login of a creditor goes to the onboarding, usable on a phone too.
    await expect(page.get_by_role("heading", name="Complétez votre inscription")).to_be_visible()
    await expect(page.get_by_text("Marie Durand").first).to_be_visible()
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the onboarding page scrolls sideways on a phone ({width}px)"
    await shot(page, "onboarding-375px")


async def test_a_bad_siret_is_shown_next_to_its_field(
    page: Page, running_services: Stack, shot: Shot, axe: Axe
) -> None:
    email = new_email()
    await register(page, email, kind="legal", siret="73282932000075")  # the checksum is wrong
    siret = page.locator("#f-siret")
    await expect(siret).to_have_attribute("aria-invalid", "true")
    error = page.locator("#f-siret-error")
    await expect(error).to_have_text(re.compile("n'est pas un SIRET valide"))
    assert "f-siret-error" in (await siret.get_attribute("aria-describedby") or "")
    # The summary links to the field; what was typed is kept (but never the password).
    await expect(page.get_by_role("link", name=re.compile("SIRET valide"))).to_have_attribute("href", "#f-siret")
    await expect(page.locator("#f-email")).to_have_value(email)
    await expect(page.locator("#f-password")).to_have_value("")
    await axe(page)
    await shot(page, "siret-error")


async def test_a_wrong_password_is_refused_with_a_message(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot
) -> None:
    email = await activated_account(running_services, http)
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Mot de passe").fill("Not-The-Password-1")
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("alert")).to_contain_text("Email ou mot de passe incorrect.")
    await expect(page.get_by_label("Email")).to_have_value(email)
    await shot(page, "wrong-password")


async def test_a_person_logs_in_and_out(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot, axe: Axe
) -> None:
    email, _auth = await onboarded_creditor(running_services, http)  # onboarded: the login lands home
    await page.goto("/")
    await login(page, email)
    await expect(page.get_by_role("heading", name=re.compile("Bienvenue"))).to_be_visible()
    await axe(page)
    await shot(page, "home")
    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
    # The old session is gone: a logged-in page sends the person back to the login page.
    await page.goto("/onboarding")
    await expect(page).to_have_url(re.compile(r"/login\?next=/onboarding$"))


async def test_a_forgotten_password_is_renewed_by_the_mailed_link(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot, axe: Axe
) -> None:
    email = await activated_account(running_services, http)
    await page.goto("/login")
    await page.get_by_role("link", name="Mot de passe oublié ?").click()
    await page.get_by_label("Email").fill(email)
    await axe(page)
    await page.get_by_role("button", name="Récupérer").click()
    await expect(page.get_by_text("Rendez-vous sur votre boîte mail")).to_be_visible()

    mail = await inbox(running_services, email, contains="/recovery#token=")
    await page.goto(portal_link(mail, "/recovery"))
    assert "#token" not in page.url
    await expect(page.locator("[data-token-paste]")).to_be_hidden()  # the link's token was read
    await page.get_by_label(re.compile("^Nouveau mot de passe")).fill(NEW_PASSWORD)
    await page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    await axe(page)
    await shot(page, "new-password")
    await page.get_by_role("button", name="Valider").click()
    await expect(page.get_by_text("Votre mot de passe a été mis à jour.")).to_be_visible()
    await shot(page, "password-updated")

    await login(page, email, NEW_PASSWORD)
    await page.get_by_role("button", name="Se déconnecter").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("alert")).to_contain_text("Email ou mot de passe incorrect.")
