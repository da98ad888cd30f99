"""The payer's and teams' pages show the API's rule errors next to their field, in French:
billing's card rules by rule code with the schedule's dates, identity's and teams' messages
by msgid or by their start, teams' code refusal on the code field; the collections phone
number is billing's, taken from its rejection."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from portal.pages.payer import collections_phone, tel_href
from portal.pages.payer_teams_common import card_body, translated_errors
from portal.ports import ApiAnswer
from portal.web.i18n import Catalogs


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs()


def request_in(catalogs: Catalogs, locale: str = "fr") -> Any:
    portal = SimpleNamespace(catalogs=catalogs, settings=SimpleNamespace(default_locale="fr"))
    return SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(portal=portal)), state=SimpleNamespace(locale=locale)
    )


def problem(status: int, code: str, detail: str = "", errors: list[dict[str, str]] | None = None) -> ApiAnswer:
    body: dict[str, Any] = {"type": f"https://creditdesk.dev/problems/{code}", "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return ApiAnswer(status=status, body=body, headers={}, content=b"", problem=None)


def test_card_rules_are_shown_on_the_card_in_the_seeds_words_with_the_schedules_dates(catalogs: Catalogs) -> None:
    answer = problem(
        422,
        "brand-not-accepted",
        errors=[
            {
                "field": "card",
                "message": "only Visa or Mastercard cards are accepted, not amex",
                "rule": "brand-not-accepted",
            },
            {
                "field": "card",
                "message": "the card expires 12/2026, before ...",
                "rule": "expires-before-last-installment",
            },
        ],
    )
    errors = translated_errors(request_in(catalogs), answer, prefix="card.", rules={"last_installment": "2027-02-01"})
    said = errors.for_field("card") or ""
    assert "La carte doit être de format « Mastercard » ou « Visa »." in said
    assert "dernière échéance programmée (01/02/2027)" in said
    assert not errors.general


def test_card_fields_named_at_the_bodys_top_level_land_on_the_forms_card_fields(catalogs: Catalogs) -> None:
    answer = problem(422, "validation", errors=[{"field": "body.expiry_year", "message": "this card has expired"}])
    errors = translated_errors(request_in(catalogs), answer, prefix="card.")
    assert errors.for_field("card.expiry_year") == "Cette carte est expirée."


def test_messages_with_values_are_translated_by_their_start_and_unknown_ones_stay(catalogs: Catalogs) -> None:
    answer = problem(
        422,
        "proof-of-power-required",
        errors=[
            {
                "field": "proof_of_power",
                "message": "'change_bank_details' can only be granted with a recorded proof of power",
            },
            {"field": "mobile", "message": "not a mobile number: the code is sent by SMS"},
            {"field": "first_name", "message": "something no catalogue knows"},
        ],
    )
    errors = translated_errors(request_in(catalogs), answer)
    assert (errors.for_field("proof_of_power") or "").startswith("Les droits 5 et 6 ne peuvent être accordés")
    assert errors.for_field("mobile") == "Ce n'est pas un numéro de mobile : le code est envoyé par SMS."
    assert errors.for_field("first_name") == "Something no catalogue knows."


def test_a_wrong_sms_code_is_shown_on_the_code_field_with_the_tries_left(catalogs: Catalogs) -> None:
    answer = problem(400, "code-invalid", "wrong code: 3 more tries with this code")
    errors = translated_errors(request_in(catalogs), answer, code_fields={"code-invalid": "code"})
    assert errors.for_field("code") == "Code incorrect : encore 3 essai(s) avec ce code."
    general = translated_errors(request_in(catalogs), problem(409, "already-member", "x"))
    assert general.general == ["Cette personne est déjà membre de l'entreprise."]


def test_english_readers_get_the_msgids(catalogs: Catalogs) -> None:
    answer = problem(422, "x", errors=[{"field": "card", "message": "m", "rule": "brand-not-accepted"}])
    errors = translated_errors(request_in(catalogs, "en"), answer, prefix="card.")
    assert errors.for_field("card") == "The card must be a Mastercard or a Visa card."


def test_card_fields_left_empty_or_not_numbers_are_refused_before_the_api(catalogs: Catalogs) -> None:
    body, refused = card_body(request_in(catalogs), {"card.number": "4242 4242 4242 4242", "card.expiry_month": "12"})
    assert refused is not None
    assert refused.for_field("card.expiry_year") == "Ce champ est obligatoire."
    body, refused = card_body(
        request_in(catalogs),
        {"card.number": "4242 4242 4242 4242", "card.expiry_month": "12", "card.expiry_year": "2035"},
    )
    assert refused is None
    assert body == {"number": "4242424242424242", "expiry_month": 12, "expiry_year": 2035}


def test_the_collections_phone_is_billings_from_its_rejection() -> None:
    detail = (
        "your payment of 159.18 EUR was rejected (card_declined): "
        "please call our collections service on +33 1 84 88 00 00"
    )
    assert collections_phone(detail) == "+33 1 84 88 00 00"
    assert tel_href("+33 1 84 88 00 00") == "tel:+33184880000"
    assert collections_phone("no number here") is None
