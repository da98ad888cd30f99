"""Customer access: a buyer creates one access per order email, with the email given at
purchase. Identity learns which emails have orders from billing's ScheduleCreated; the link to
choose a password goes only to an email that has orders, and an email that already has an
account is reminded of it instead. Pure rules (time is an argument)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from contracts import PersonKind
from contracts.events.identity import AccountActivated, AccountMigrated, AccountRegistered
from identity.domain.accounts import CUSTOMER, CUSTOMER_ROLE, Account, AccountStatus, activation_events


def order_email(raw: str) -> str:
    """The key of an order email: as the buyer typed it at purchase, trimmed and lower-cased."""
    return raw.strip().lower()


@dataclass(frozen=True)
class Order:
    """An order of the email, as billing's ScheduleCreated announced it."""

    schedule_id: str
    order_number: str
    merchant: str
    purchase_date: date
    event_id: str


@dataclass(frozen=True)
class OrderEmail:
    """An email that has orders, and the customer access made with it (once)."""

    email: str
    orders: tuple[Order, ...]
    account_id: str | None = None


class FirstConnectionStep(StrEnum):
    WAIT = "wait"  # no order known yet: remember the request until the order's event arrives
    REMIND_ACCESS = "remind-access"  # the email has an account: tell its owner how to log in
    SEND_LINK = "send-link"  # the link to choose a password


def first_connection_step(orders: OrderEmail | None, has_account: bool) -> FirstConnectionStep:
    """What a first-connection request of an email leads to (the answer is the same in every case)."""
    if orders is None:
        return FirstConnectionStep.WAIT
    if has_account:
        return FirstConnectionStep.REMIND_ACCESS
    return FirstConnectionStep.SEND_LINK


@dataclass(frozen=True)
class CustomerAccess:
    """The account a buyer creates with the first-connection link: active at once (the link proved
    the mailbox), a natural person named by the email, with the customer role only."""

    account_id: str
    email: str
    created_at: datetime

    roles: tuple[str, ...] = (CUSTOMER_ROLE,)
    person_kind: PersonKind = PersonKind.NATURAL

    @property
    def display_name(self) -> str:
        return self.email

    def account(self) -> Account:
        return Account(
            account_id=self.account_id,
            email=self.email,
            account_kind=CUSTOMER,
            roles=self.roles,
            status=AccountStatus.ACTIVE,
            person_kind=self.person_kind,
            display_name=self.display_name,
            registered_at=self.created_at,
            activated_at=self.created_at,
        )

    def events(self) -> list[AccountRegistered | AccountActivated | AccountMigrated]:
        """Registered and activated at once (the link proved the mailbox)."""
        registered = AccountRegistered(
            account_id=self.account_id,
            email=self.email,
            person_kind=self.person_kind,
            display_name=self.display_name,
            account_kind=CUSTOMER,
        )
        return [registered, *activation_events(self.account())]


def customer_access(order_email_found: OrderEmail, account_id: str, now: datetime) -> CustomerAccess:
    """The one access of an order email."""
    return CustomerAccess(account_id=account_id, email=order_email_found.email, created_at=now)
