"""The portal's pages: one router per journey module, and the navigation.

Adding a journey is two one-line changes here: its router in ROUTERS, its entries in NAV.
"""

from __future__ import annotations

from fastapi import APIRouter

from portal.pages import (
    account,
    cases,
    commissaire,
    debtor,
    home,
    mailbox,
    migration,
    onboarding,
    payer,
    portfolios,
    ratings,
    teams,
)
from portal.ports import Session
from portal.web.i18n import N_
from portal.web.nav import NavEntry

__all__ = ["NAV", "ROUTERS", "NavEntry", "visible_nav"]

ROUTERS: list[APIRouter] = [
    home.router,
    account.router,
    onboarding.router,
    payer.router,
    teams.router,
    cases.router,
    commissaire.router,
    debtor.router,
    ratings.router,
    portfolios.router,
    mailbox.router,
    migration.router,
]

NAV: list[NavEntry] = [
    NavEntry("/", N_("Home")),
    NavEntry("/login", N_("Log in"), anonymous=True),
    NavEntry("/register", N_("Register"), anonymous=True),
    NavEntry("/payer/schedules", N_("My payment schedules"), roles=("customer",)),
    NavEntry("/teams", N_("My teams"), roles=("member",)),
    NavEntry("/cases", N_("My cases"), roles=("member",)),
    NavEntry("/office", N_("Commissaire's desk"), roles=("commissaire",)),
    NavEntry("/credit-files", N_("Credit files"), roles=("member",)),
    NavEntry("/portfolios", N_("My portfolios"), roles=("member",)),
    NavEntry("/alerts", N_("Alerts"), roles=("member",)),
    NavEntry("/mailbox", N_("Mailbox"), roles=("member",)),
    NavEntry("/migration", N_("Former portal"), anonymous=True),
]


def visible_nav(session: Session) -> list[NavEntry]:
    return [entry for entry in NAV if entry.visible_to(session)]
