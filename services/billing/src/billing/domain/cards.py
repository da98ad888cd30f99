"""Card on file and the card-change rules (DOMAIN.md, billing [002]).

Only what the provider returns is kept: its token, the brand, the last 4 digits
and the expiry. A change is accepted only if every rule holds; each refusal
names the rule that failed.

A card given to pay a regularisation (`regularisation_card`) must be able to
pay that plan (accepted brand, valid through its last payment); it becomes the
schedule's card on file only if it also passes the card-on-file rules above
(the unpaid rule aside: the regularisation is what clears it). Otherwise it
pays the plan's payments only and the card on file stays.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

ACCEPTED_BRANDS = frozenset({"visa", "mastercard"})
MIN_DAYS_BEFORE_NEXT_DEBIT = 7


@dataclass(frozen=True)
class CardOnFile:
    token: str
    brand: str
    last4: str
    expiry_month: int
    expiry_year: int

    @property
    def valid_through(self) -> date:
        """A card works until the last day of its expiry month."""
        last_day = calendar.monthrange(self.expiry_year, self.expiry_month)[1]
        return date(self.expiry_year, self.expiry_month, last_day)


class CardRule(StrEnum):
    BRAND = "brand-not-accepted"
    EXPIRY = "expires-before-last-installment"
    NOTICE = "too-close-to-next-debit"
    UNPAID = "schedule-unpaid"


@dataclass(frozen=True)
class CardRefusal:
    rule: CardRule
    message: str


def _brand_refusal(card: CardOnFile) -> CardRefusal | None:
    if card.brand in ACCEPTED_BRANDS:
        return None
    return CardRefusal(CardRule.BRAND, f"only Visa or Mastercard cards are accepted, not {card.brand}")


def _expiry_refusal(card: CardOnFile, last_payment: date | None, *, what: str) -> CardRefusal | None:
    """The card must work through the last payment it is to pay (`what` names that payment)."""
    if last_payment is None or card.valid_through >= last_payment:
        return None
    return CardRefusal(
        CardRule.EXPIRY,
        f"the card expires {card.expiry_month:02d}/{card.expiry_year}, before {what} on {last_payment.isoformat()}",
    )


def _present(*refusals: CardRefusal | None) -> list[CardRefusal]:
    return [r for r in refusals if r is not None]


def new_schedule_card_refusals(card: CardOnFile, *, last_installment: date | None) -> list[CardRefusal]:
    """The rules a schedule's card passes at creation: valid through the last installment, then an
    accepted brand (the first refusal is the one answered)."""
    return _present(
        _expiry_refusal(card, last_installment, what="the last installment"),
        _brand_refusal(card),
    )


def card_change_refusals(
    card: CardOnFile,
    *,
    today: date,
    next_debit: date | None,
    last_installment: date | None,
    schedule_unpaid: bool,
) -> list[CardRefusal]:
    """Every rule the new card breaks; empty when the change is accepted."""
    unpaid = (
        CardRefusal(CardRule.UNPAID, "the schedule is unpaid: regularise it instead of changing the card")
        if schedule_unpaid
        else None
    )
    notice = None
    if next_debit is not None and today > next_debit - timedelta(days=MIN_DAYS_BEFORE_NEXT_DEBIT):
        notice = CardRefusal(
            CardRule.NOTICE,
            f"the card can be changed until {MIN_DAYS_BEFORE_NEXT_DEBIT} days before the next debit "
            f"({next_debit.isoformat()})",
        )
    return _present(
        unpaid,
        _brand_refusal(card),
        _expiry_refusal(card, last_installment, what="the last installment"),
        notice,
    )


@dataclass(frozen=True)
class RegularisationCard:
    """What a card given with a regularisation may do.

    `refusals`: why it cannot even pay the plan (then the regularisation is refused);
    `not_on_file`: the card-on-file rules it breaks (then it pays the plan only)."""

    refusals: list[CardRefusal]
    not_on_file: list[CardRefusal]

    @property
    def becomes_card_on_file(self) -> bool:
        return not self.refusals and not self.not_on_file


def regularisation_card(
    card: CardOnFile,
    *,
    today: date,
    plan_last_payment: date,
    next_debit: date | None,
    last_installment: date | None,
) -> RegularisationCard:
    """The rules for a card paying a regularisation, and whether it may stay as the card on file."""
    refusals = _present(
        _brand_refusal(card),
        _expiry_refusal(card, plan_last_payment, what="the regularisation's last payment"),
    )
    not_on_file = card_change_refusals(
        card, today=today, next_debit=next_debit, last_installment=last_installment, schedule_unpaid=False
    )
    return RegularisationCard(refusals=refusals, not_on_file=not_on_file)
