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


def card_change_refusals(
    card: CardOnFile,
    *,
    today: date,
    next_debit: date | None,
    last_installment: date | None,
    schedule_unpaid: bool,
) -> list[CardRefusal]:
    """Every rule the new card breaks; empty when the change is accepted."""
    refusals: list[CardRefusal] = []
    if schedule_unpaid:
        refusals.append(
            CardRefusal(CardRule.UNPAID, "the schedule is unpaid: regularise it instead of changing the card")
        )
    if card.brand not in ACCEPTED_BRANDS:
        refusals.append(CardRefusal(CardRule.BRAND, f"only Visa or Mastercard cards are accepted, not {card.brand}"))
    if last_installment is not None and card.valid_through < last_installment:
        refusals.append(
            CardRefusal(
                CardRule.EXPIRY,
                f"the card expires {card.expiry_month:02d}/{card.expiry_year}, "
                f"before the last installment on {last_installment.isoformat()}",
            )
        )
    if next_debit is not None and today > next_debit - timedelta(days=MIN_DAYS_BEFORE_NEXT_DEBIT):
        refusals.append(
            CardRefusal(
                CardRule.NOTICE,
                f"the card can be changed until {MIN_DAYS_BEFORE_NEXT_DEBIT} days before the next debit "
                f"({next_debit.isoformat()})",
            )
        )
    return refusals


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
    refusals: list[CardRefusal] = []
    if card.brand not in ACCEPTED_BRANDS:
        refusals.append(CardRefusal(CardRule.BRAND, f"only Visa or Mastercard cards are accepted, not {card.brand}"))
    if card.valid_through < plan_last_payment:
        refusals.append(
            CardRefusal(
                CardRule.EXPIRY,
                f"the card expires {card.expiry_month:02d}/{card.expiry_year}, "
                f"before the regularisation's last payment on {plan_last_payment.isoformat()}",
            )
        )
    not_on_file = card_change_refusals(
        card, today=today, next_debit=next_debit, last_installment=last_installment, schedule_unpaid=False
    )
    return RegularisationCard(refusals=refusals, not_on_file=not_on_file)
