"""What the payer and teams pages share: the API's problem turned into errors shown
next to their form field, in the reader's language.

The services answer rule errors in English (`errors[{field, message, rule?}]`);
known messages and rules have a French msgid in `payer.po` / `teams.po`, so the
person reads them in French; an unknown message is shown as the API wrote it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from babel.dates import format_date
from fastapi import Request
from fastapi.responses import Response

from portal.web import i18n
from portal.web.context import api_of
from portal.web.forms import FormErrors
from portal.web.i18n import N_
from portal.web.templating import render

__all__ = ["FormErrors", "api_of", "card_body", "form_of", "is_problem", "page", "translated_errors"]


# Billing's card rules (domain/cards.py), by rule code: the seed's wording.
RULES: dict[str, str] = {
    "schedule-unpaid": N_("Your schedule is unpaid: the card cannot be changed, regularise it instead."),
    "brand-not-accepted": N_("The card must be a Mastercard or a Visa card."),
    "expires-before-last-installment": N_(
        "The card's expiry date must be after your last scheduled installment (%(last_installment)s)."
    ),
    "too-close-to-next-debit": N_(
        "The card can be changed until 7 days before your next debit (%(next_debit)s): please contact customer service."
    ),
}
# The same rules for a card paying a regularisation (its plan's last payment, not the schedule's).
REGULARISATION_RULES: dict[str, str] = {
    **RULES,
    "expires-before-last-installment": N_("The card's expiry date must be after the last payment of this plan."),
}
# Problems without field errors, by code.
CODES: dict[str, str] = {
    "first-connection-token-invalid": N_("This link is invalid, has been used or has expired: ask for a new one."),
    "access-exists": N_("An access already exists for this email: log in, or use 'Forgot password'."),
    "rate-limited": N_("Too many attempts: please try again in a few minutes."),
    "nothing-unpaid": N_("Nothing is unpaid on this schedule."),
    "regularisation-under-way": N_("A regularisation of this schedule is already under way."),
    "schedule-busy": N_("A debit is under way on this schedule: please try again in a moment."),
    "not-company-admin": N_("Only the company's admins may do this."),
    "already-member": N_("This person is already a member of the company."),
    "admin-rights-fixed": N_("An admin holds every right: their rights cannot be changed."),
    "invitation-link-invalid": N_("This invitation link is invalid or has already been used."),
    "invitation-for-another-email": N_(
        "This invitation is for another email address: log in with the invited address."
    ),
    "invitation-expired": N_("This invitation has expired: ask the admin for a new one."),
    "code-expired": N_("This code has expired: ask for a new code."),
    "code-locked": N_("Too many wrong codes: ask for a new code."),
    "code-resends-exhausted": N_("No more new codes may be sent for this invitation."),
    "invitation-not-awaiting-code": N_("This invitation is not waiting for a code any more."),
    "sms-not-sent": N_("The SMS could not be sent: ask for a new code in a moment."),
    "claim-under-review": N_("A claim for this company is already under review."),
    "company-space-exists": N_("This company's space is already open."),
    "not-the-company-account": N_(
        "Only the company's own account (a legal person with this SIREN) may open its space."
    ),
    "account-not-synchronised": N_("Your account is still being set up: try again in a moment."),
    "last-admin": N_("The last admin cannot leave the space."),
    "concurrent-change": N_("Someone changed this member meanwhile: check and save again."),
}
# Field messages the services write (identity's password policy, billing's card checks, teams' fields).
MESSAGES: tuple[str, ...] = (
    N_("must be at least 8 characters long"),
    N_("must contain an upper-case letter"),
    N_("must contain a lower-case letter"),
    N_("must contain a digit"),
    N_("must contain a special character"),
    N_("must not contain your email address"),
    N_("is one of the most common leaked passwords: choose another"),
    N_("does not match the password"),
    N_("a card number has 12 to 19 digits"),
    N_("this card number is mistyped (its check digit is wrong)"),
    N_("the expiry month is 1 to 12"),
    N_("this card has expired"),
    N_("the proof of power cannot be issued in the future"),
)
# Messages that carry a value, by their start (pydantic's and the services').
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Field required"), N_("This field is required.")),
    (re.compile(r"^value is not a valid email address"), N_("This email address is not valid.")),
    (re.compile(r"^String should have at least"), N_("This value is too short.")),
    (re.compile(r"^String should have at most"), N_("This value is too long.")),
    (re.compile(r"^String should match pattern"), N_("This value does not have the expected format.")),
    (re.compile(r"^not a (valid )?phone number"), N_("This phone number is not valid.")),
    (re.compile(r"^not a mobile number"), N_("This is not a mobile number: the code is sent by SMS.")),
    (
        re.compile(r"can only be granted with a recorded proof of power$"),
        N_("Rights 5 and 6 can only be granted with a proof of power: give its document, reference and date."),
    ),
    (re.compile(r"^Input should be a valid date"), N_("Enter a date.")),
)
# A card's fields, named at the body's top level by the card-change route.
CARD_PARTS = ("number", "expiry_month", "expiry_year")
CODE_INVALID = N_("Wrong code: %(left)s more tries with this code.")
REQUIRED = N_("This field is required.")
NOT_A_NUMBER = N_("Enter a number.")
INVALID = N_("This value is invalid.")


def translator(request: Request) -> Callable[[str], str]:
    """The request's gettext."""
    gettext: Callable[[str], str] = i18n.translator(request).gettext
    return gettext


def locale_of(request: Request) -> str:
    return i18n.locale_of(request)


def local_date(request: Request, value: str) -> str:
    try:
        return format_date(date.fromisoformat(value[:10]), format="short", locale=locale_of(request))
    except ValueError:
        return value


def sentences(messages: list[str]) -> str:
    """Messages as sentences: 'must contain a digit' reads 'Must contain a digit.'."""
    return " ".join(m[:1].upper() + m[1:] + ("" if m.endswith((".", "!", "?")) else ".") for m in messages if m)


def is_problem(answer: Any) -> bool:
    return int(answer.status) >= 400


def known(_: Any, message: str) -> str:
    """The message in the reader's language when it is one the services write."""
    for pattern, msgid in PATTERNS:
        if pattern.search(message):
            return str(_(msgid))
    return str(_(message)) if message else str(_(INVALID))


def translated_errors(
    request: Request,
    answer: Any | None,
    *,
    prefix: str = "",
    rules: Mapping[str, str] | None = None,
    rule_messages: Mapping[str, str] = RULES,
    code_fields: Mapping[str, str] | None = None,
) -> FormErrors:
    """The answer's problem as errors next to the form's fields.

    `prefix` names the form's fields of a nested object (`card.` for `number`);
    `rules` gives the values the rule messages name (dates, ISO); `code_fields` puts
    a problem without field errors next to the field it concerns, by its code."""
    if answer is None or not is_problem(answer):
        return FormErrors()
    _ = translator(request)
    body = answer.body if isinstance(answer.body, dict) else {}
    context = {k: local_date(request, v) for k, v in (rules or {}).items()}
    fields: dict[str, list[str]] = {}
    for error in body.get("errors") or []:
        field = str(error.get("field", ""))
        for head in ("body.", "query.", "path."):
            field = field.removeprefix(head)
        if prefix and field in CARD_PARTS:
            field = prefix + field
        rule = error.get("rule")
        if rule in rule_messages:
            text = _(rule_messages[rule])
            message = text % context if "%(" in text else text
        else:
            message = known(_, str(error.get("message", "")))
        fields.setdefault(field or "", []).append(message)
    general = fields.pop("", [])
    if not fields and not general:
        code = str(body.get("type", "")).rsplit("/", 1)[-1]
        detail = str(body.get("detail") or body.get("title") or "")
        if code == "code-invalid":
            left = re.search(r"(\d+) more", detail)
            message = _(CODE_INVALID) % {"left": left.group(1) if left else "?"}
        else:
            message = _(CODES[code]) if code in CODES else detail
        if code_fields and code in code_fields:
            fields[code_fields[code]] = [message]
        else:
            general = [message]
    return FormErrors({name: sentences(messages) for name, messages in fields.items()}, general)


def card_body(
    request: Request, values: Mapping[str, str], prefix: str = "card."
) -> tuple[dict[str, Any], FormErrors | None]:
    """The card fields of a form as the API takes them, or the fields left empty or not numbers."""
    _ = translator(request)
    fields: dict[str, list[str]] = {}
    number = values.get(f"{prefix}number", "").replace(" ", "")
    if not number:
        fields[f"{prefix}number"] = [_(REQUIRED)]
    body: dict[str, Any] = {"number": number}
    for part in ("expiry_month", "expiry_year"):
        raw = values.get(f"{prefix}{part}", "").strip()
        if not raw:
            fields[f"{prefix}{part}"] = [_(REQUIRED)]
        elif not raw.isdigit():
            fields[f"{prefix}{part}"] = [_(NOT_A_NUMBER)]
        else:
            body[part] = int(raw)
    return body, (FormErrors({k: sentences(v) for k, v in fields.items()}) if fields else None)


async def form_of(request: Request) -> Mapping[str, Any]:
    return await request.form()


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return render(request, template, status=status, **context)


def translated(request: Request, message: str) -> str:
    """A msgid of a page module, in the request's language."""
    return translator(request)(message)
