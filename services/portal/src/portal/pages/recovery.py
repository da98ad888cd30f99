"""What the recovery pages share (creditor's cases, commissaire's desk, debtor space): the API's
field errors in the page's language and under the form's field names, amounts typed by a person,
the phases and timeline steps in words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request

from portal.ports import ApiAnswer
from portal.web.i18n import N_, gettext, locale_of

# The API's error locations -> the form's field names: `claim.` is the filing form's JSON part,
# list items are `name.i` (the API says `name[i]` or `name.i`), amounts are typed in euros (`..._cents` in the API).
_INDEX = re.compile(r"\[(\d+)\]")
_RENAMED = {"interest_cents": "interest", "amount_cents": "amount", "proposed_amount_cents": "proposed_amount"}
_PREFIXES = ("body.", "claim.")


def form_field(location: str) -> str:
    """`claim.invoices.0.amount_cents` / `invoices[0].amount_cents` -> `invoices.0.amount`;
    `documents[2].name` -> `documents`; `body` -> `` (a page-wide error)."""
    name = location
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name in ("body", "claim"):
        return ""
    name = _INDEX.sub(r".\1", name)
    if name.startswith("documents"):
        return "documents"
    head, _, last = name.rpartition(".")
    last = _RENAMED.get(last, last)
    return f"{head}.{last}" if head else last


def field_errors(request: Request, answer: ApiAnswer, documents: list[str] | None = None) -> dict[str, str]:
    """The answer's field errors keyed by form field, each in the page's language (recovery's
    errors carry `message_fr` beside the English `message`). A proof's error names its file."""
    body = answer.body if isinstance(answer.body, dict) else {}
    raw = body.get("errors")
    french = locale_of(request) == "fr"
    found: dict[str, str] = {}
    for error in raw if isinstance(raw, list) else []:
        if not isinstance(error, Mapping):
            continue
        location = error.get("field") or error.get("loc") or ""
        if isinstance(location, list | tuple):
            location = ".".join(str(part) for part in location)
        location = str(location)
        name = form_field(location)
        message = str((french and error.get("message_fr")) or error.get("message") or error.get("msg") or "")
        if not message:
            continue
        if name == "documents" and documents:
            index = re.match(r"(?:claim\.)?documents(?:\[|\.)(\d+)", location)
            if index and int(index.group(1)) < len(documents):
                message = (
                    f"{documents[int(index.group(1))]} : {message}"
                    if french
                    else f"{documents[int(index.group(1))]}: {message}"
                )
        found[name] = f"{found[name]} {message}" if name in found else message
    if not found and answer.problem is not None and answer.problem.field_errors:
        found = {form_field(k): v for k, v in answer.problem.field_errors.items()}
    return found


def parse_euros(text: str) -> int | None:
    """Cents of an amount as a person types it: `2 012,34`, `2012.34`, `2.012,34 €`, `150`.
    None when it is no amount (negative, more than two decimals, letters)."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|EUR", "", text.strip(), flags=re.IGNORECASE)
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", cleaned):
        return None
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        return None


# The phases as people read them (msgids translated in recovery.po).
PHASES: dict[str, str] = {
    "filed": N_("Filed"),
    "assigned": N_("With the commissaire, awaiting acceptance"),
    "accepted": N_("Accepted by the commissaire"),
    "amicable": N_("Amicable phase: plain letter sent"),
    "simplified": N_("Simplified procedure: registered letter sent"),
    "debtor_accepted": N_("Debtor accepted: awaiting the enforceable title"),
    "injunction_available": N_("Injunction to pay available"),
    "returned": N_("Returned: no competent commissaire"),
    "settled": N_("Settled"),
    "closed": N_("Closed"),
}

# The timeline's steps (the API's `action`), in words.
STEPS: dict[str, str] = {
    "filed": N_("Case filed"),
    "assigned": N_("Assigned to a commissaire's office"),
    "refused": N_("Refused by the commissaire's office"),
    "returned": N_("Returned to the creditor"),
    "accepted": N_("Accepted by the commissaire"),
    "plain letter sent": N_("Plain letter and email sent to the debtor"),
    "registered letter sent": N_("Registered letter and email sent to the debtor"),
    "injunction available": N_("Injunction to pay available"),
    "debtor accepted": N_("The debtor accepted"),
    "debtor refused": N_("The debtor refused"),
    "payment": N_("Payment received"),
    "settled": N_("Settled in full"),
    "agreement recorded": N_("Agreement and enforceable title recorded"),
    "withdrawn": N_("Withdrawn by the creditor"),
    "injunction request generated": N_("Injunction-to-pay request generated"),
}

ACTORS: dict[str, str] = {
    "creditor": N_("Creditor"),
    "commissaire": N_("Commissaire de justice"),
    "debtor": N_("Debtor"),
    "system": N_("Platform"),
}

DOCUMENT_KINDS: dict[str, str] = {
    "proof": N_("Proof"),
    "amicable_letter": N_("Plain letter (amicable phase)"),
    "registered_letter": N_("Registered letter (simplified procedure)"),
    "injunction_request": N_("Injunction-to-pay request"),
}

CAUSES: dict[str, str] = {
    "contract": N_("Contract"),
    "statutory_obligation": N_("Statutory obligation"),
}


def words(request: Request, table: Mapping[str, str], key: str) -> str:
    """`key` in words in the page's language; an unknown key as it is."""
    return gettext(request, table[key]) if key in table else key


def last_day(deadline: Any) -> datetime | None:
    """The last moment before a deadline: recovery's `due_at` is the instant it passes (midnight
    at the end of the last day, CPC 642), so the day shown is the one just before it."""
    if not isinstance(deadline, str) or not deadline:
        return None
    try:
        return datetime.fromisoformat(deadline.replace("Z", "+00:00")) - timedelta(seconds=1)
    except ValueError:
        return None


def labels(request: Request) -> dict[str, Any]:
    """The tables above for the templates, translated, and `last_day`."""
    return {
        "last_day": last_day,
        "phase_label": lambda key: words(request, PHASES, key),
        "step_label": lambda key: words(request, STEPS, key),
        "actor_label": lambda key: words(request, ACTORS, key),
        "document_label": lambda key: words(request, DOCUMENT_KINDS, key),
        "cause_label": lambda key: words(request, CAUSES, key),
    }


# The case's refusals that recovery words only in English (`code` of the problem), in words.
REFUSALS: dict[str, str] = {
    "illegal-transition": N_("This action is not possible at this stage of the case."),
    "answer-too-late": N_("The month to answer has passed: no answer counts as refusal."),
    "amount-above-balance": N_("The amount exceeds the balance due."),
    "amount-not-positive": N_("Enter an amount above zero."),
    "title-date-in-future": N_("The enforceable title cannot be dated after today."),
    "title-number-required": N_("Enter the number of the enforceable title."),
    "reason-required": N_("Give the reason."),
    "reference-required": N_("Enter the payment's reference."),
    "control-characters": N_("Remove the control characters from the text."),
    "too-long": N_("The text is too long."),
}


def refusal(request: Request, answer: ApiAnswer) -> str:
    """The problem of a refused action in the page's language (recovery's own words otherwise)."""
    problem = answer.problem
    if problem is None:
        return ""
    if problem.code in REFUSALS:
        return gettext(request, REFUSALS[problem.code])
    return problem.detail
