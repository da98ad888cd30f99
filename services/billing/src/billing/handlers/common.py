"""What billing's use cases share: the problems they answer for a domain refusal, the card given
with a command, loading and saving a schedule or an onboarding through their ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from billing.domain.cards import CardOnFile, CardRefusal
from billing.domain.onboarding import Onboarding
from billing.domain.schedules import Schedule, ScheduleError
from billing.ports import Billing, CardInvalid, OnboardingRepository, StaleProfile, StaleSchedule
from chassis.errors import Conflict, NotFound, Problem
from contracts import Event


class PaymentRejectedProblem(Problem):
    status = 402


@dataclass(frozen=True)
class CardInput:
    """A card as a command carries it: the number goes to the provider, never further."""

    number: str
    expiry_month: int
    expiry_year: int


def schedule_problem(error: ScheduleError) -> Problem:
    errors = [{"field": error.field, "message": error.message}] if error.field else None
    status = 422 if error.field else 409
    return Problem(error.message, status=status, code=error.code, errors=errors)


def card_refused(refusals: Sequence[CardRefusal]) -> Problem:
    """A 422 naming every card rule broken, `type` the first."""
    return Problem(
        "; ".join(r.message for r in refusals),
        status=422,
        code=refusals[0].rule.value,
        errors=[{"field": "card", "message": r.message, "rule": r.rule.value} for r in refusals],
    )


async def tokenise(billing: Billing, card: CardInput, *, today: date) -> CardOnFile:
    """The card as the provider keeps it; a number or expiry it refuses is a 422 `card-invalid`."""
    try:
        return await billing.provider.tokenise(card.number, card.expiry_month, card.expiry_year, today=today)
    except CardInvalid as error:
        raise Problem(
            error.message,
            status=422,
            code="card-invalid",
            errors=[{"field": f"card.{error.field}", "message": error.message}],
        ) from error


def no_schedule(schedule_id: str, *, suffix: str = "") -> NotFound:
    return NotFound(f"no payment schedule {schedule_id}{suffix}", code="schedule-not-found")


async def schedule_for(
    billing: Billing, schedule_id: str, *, email: str | None, account_id: str
) -> tuple[Schedule, int]:
    """The schedule, if the caller is its buyer (by order email) or its creator."""
    found = await billing.schedules.get(schedule_id)
    if found is None:
        raise no_schedule(schedule_id)
    schedule, version = found
    if schedule.order.buyer_email != (email or "").lower() and schedule.created_by != account_id:
        # Never reveal others' schedules: the same answer as for none.
        raise no_schedule(schedule_id)
    return schedule, version


async def save_schedule(billing: Billing, schedule: Schedule, version: int, *events: Event, now: datetime) -> None:
    try:
        await billing.schedules.save(schedule, version, *events, now=now)
    except StaleSchedule as error:
        raise Conflict(
            "the schedule changed meanwhile (a debit may be under way): try again", code="schedule-busy"
        ) from error


def no_profile() -> NotFound:
    return NotFound(
        "no billing profile for this account yet: it opens once the account is activated", code="no-profile"
    )


async def load_onboarding(onboardings: OnboardingRepository, account_id: str) -> tuple[Onboarding, int]:
    found = await onboardings.get(account_id)
    if found is None:
        raise no_profile()
    return found


async def save_onboarding(
    onboardings: OnboardingRepository, account_id: str, onboarding: Onboarding, version: int, *events: Event
) -> None:
    try:
        await onboardings.save(account_id, onboarding, version, *events)
    except StaleProfile as error:
        raise Conflict("the profile changed meanwhile: try again", code="profile-busy") from error
