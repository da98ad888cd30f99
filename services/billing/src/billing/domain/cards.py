"""Card on file and the card-change rules (DOMAIN.md, billing [002]).

Only what the provider returns is kept: its token, the brand, the last 4 digits
and the expiry. A change is accepted only if every rule holds; each refusal
names the rule that failed.
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
