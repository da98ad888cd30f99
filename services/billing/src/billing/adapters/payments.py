"""The payment-provider adapter: tokenise a card, charge a token.

Every debit goes through the `PaymentProvider` port (`billing.ports`). The local implementation is a
deterministic simulator: like the public test cards of card processors, some
numbers always succeed and some always decline. A charge is idempotent by its
key, as real providers' are: asking again with the same key returns the first
answer and never charges twice (the simulator records charges in its own
collection, `provider_charges`, standing for the provider's books).
"""

from __future__ import annotations

import uuid
from datetime import date

from pymongo.errors import DuplicateKeyError

from billing.domain.cards import CardOnFile
from billing.ports import CardInvalid, ChargeResult
from chassis.mongo import MongoDatabase

PROVIDER_CHARGES = "provider_charges"

# number -> decline reason (None: always succeeds). Any other valid number succeeds.
TEST_CARDS: dict[str, str | None] = {
    "4242424242424242": None,  # Visa
    "5555555555554444": None,  # Mastercard
    "4000056655665556": None,  # Visa (debit)
    "378282246310005": None,  # American Express: tokenised, but refused by the card rules
    "4000000000000002": "card_declined",  # Visa
    "4000000000009995": "insufficient_funds",  # Visa
    "4000000000000069": "expired_card",  # Visa
    "5105105105105100": "card_declined",  # Mastercard
}


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    prefix2, prefix4 = int(number[:2]), int(number[:4])
    if 51 <= prefix2 <= 55 or 2221 <= prefix4 <= 2720:
        return "mastercard"
    if prefix2 in (34, 37):
        return "amex"
    if number.startswith(("6011", "65")):
        return "discover"
    return "other"


def check_card(number: str, expiry_month: int, expiry_year: int, today: date) -> str:
    """The number without separators, or CardInvalid."""
    digits = number.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise CardInvalid("number", "a card number has 12 to 19 digits")
    if not luhn_valid(digits):
        raise CardInvalid("number", "this card number is mistyped (its check digit is wrong)")
    if not 1 <= expiry_month <= 12:
        raise CardInvalid("expiry_month", "the expiry month is 1 to 12")
    if (expiry_year, expiry_month) < (today.year, today.month):
        raise CardInvalid("expiry_year", "this card has expired")
    return digits


class SimulatedProvider:
    """The `PaymentProvider` port, simulated: a deterministic local provider: the test number decides the outcome."""

    def __init__(self, db: MongoDatabase) -> None:
        self._charges = db[PROVIDER_CHARGES]

    async def tokenise(self, number: str, expiry_month: int, expiry_year: int, *, today: date) -> CardOnFile:
        digits = check_card(number, expiry_month, expiry_year, today)
        behaviour = TEST_CARDS.get(digits) or "ok"
        # The token carries the simulated behaviour; never the number.
        return CardOnFile(
            token=f"tok_sim_{behaviour}_{uuid.uuid4().hex}",
            brand=brand_of(digits),
            last4=digits[-4:],
            expiry_month=expiry_month,
            expiry_year=expiry_year,
        )

    async def charge(self, token: str, amount_cents: int, *, idempotency_key: str) -> ChargeResult:
        previous = await self._charges.find_one({"_id": idempotency_key})
        if previous is not None:
            return _result(previous)
        behaviour = token.removeprefix("tok_sim_").rsplit("_", 1)[0] if token.startswith("tok_sim_") else "unknown"
        decline = None if behaviour == "ok" else ("unknown_card" if behaviour == "unknown" else behaviour)
        record = {
            "_id": idempotency_key,
            "token": token,
            "amount_cents": amount_cents,
            "succeeded": decline is None,
            "decline_reason": decline,
            "reference": f"ch_sim_{uuid.uuid4().hex[:20]}",
        }
        try:
            await self._charges.insert_one(record)
        except DuplicateKeyError:
            stored = await self._charges.find_one({"_id": idempotency_key})
            assert stored is not None
            return _result(stored)
        return _result(record)

    async def charges_for(self, idempotency_key_prefix: str) -> int:
        """How many charges were made under keys with this prefix (tests, audits)."""
        return await self._charges.count_documents({"_id": {"$regex": f"^{idempotency_key_prefix}"}})


def _result(record: dict[str, object]) -> ChargeResult:
    reason = record.get("decline_reason")
    return ChargeResult(
        succeeded=bool(record["succeeded"]),
        decline_reason=str(reason) if reason is not None else None,
        provider_reference=str(record["reference"]),
    )
