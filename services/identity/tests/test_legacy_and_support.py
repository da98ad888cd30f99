from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts import PersonKind
from identity.domain.accounts import Account, AccountStatus
from identity.domain.legacy import LegacyRecordInvalid, parse_legacy_line, pbkdf2_hash, verify_pbkdf2
from identity.domain.support import Changes, FieldChange, changed_fields, display_name_after, support_change_problems


def line(**changes: Any) -> str:
    base: dict[str, Any] = {
        "legacy_id": "CI-000123",
        "login": "Dupont.SA",
        "password_hash": pbkdf2_hash("ancien-mdp", "sel", 1000),
        "company_name": "DUPONT SA",
        "siret": "73282932000074",
        "contract_reference": "CTR-2019-0042",
        "mailbox": [{"received_at": "2024-03-01T08:00:00+00:00", "subject": "Alerte", "body": "Score en baisse"}],
    }
    base.update(changes)
    return json.dumps({k: v for k, v in base.items() if v is not ...})


def test_a_complete_line_is_read_and_the_login_lowered() -> None:
    record = parse_legacy_line(line(), 1)
    assert record.login == "dupont.sa"
    assert record.contract_reference == "CTR-2019-0042"
    assert record.mailbox[0].subject == "Alerte"


def test_imported_free_text_refuses_control_characters() -> None:
    with pytest.raises(LegacyRecordInvalid) as refused:
        parse_legacy_line(line(company_name="DUPONT\r\nBcc: x@example.org"), 2)
    assert "U+000D" in refused.value.errors["company_name"]
    with pytest.raises(LegacyRecordInvalid) as refused:
        parse_legacy_line(line(login="a\u2028b"), 2)
    assert "U+2028" in refused.value.errors["login"]


def test_exactly_one_credential_is_required() -> None:
    with pytest.raises(LegacyRecordInvalid) as both:
        parse_legacy_line(line(migration_secret="s3cret-once"), 4)
    assert "password_hash" in both.value.errors
    assert both.value.line_number == 4
    with pytest.raises(LegacyRecordInvalid):
        parse_legacy_line(line(password_hash=None), 1)
    assert parse_legacy_line(line(password_hash=None, migration_secret="s3cret-once"), 1).migration_secret


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"legacy_id": None}, "legacy_id"),
        ({"login": ""}, "login"),
        ({"password_hash": "md5$abc"}, "password_hash"),
        ({"siret": "73282932000075"}, "siret"),
        ({"mailbox": [{"subject": "x"}]}, "mailbox.0"),
        ({"mailbox": [{"received_at": "2024-03-01T08:00:00", "subject": "x", "body": "y"}]}, "mailbox.0"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(LegacyRecordInvalid) as invalid:
        parse_legacy_line(line(**changes), 1)
    assert field in invalid.value.errors


def test_a_line_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(LegacyRecordInvalid):
        parse_legacy_line("[1, 2]", 1)
    with pytest.raises(LegacyRecordInvalid):
        parse_legacy_line("{not json", 1)


def test_pbkdf2_legacy_hashes_verify() -> None:
    stored = pbkdf2_hash("ancien-mdp", "sel", 1000)
    assert verify_pbkdf2(stored, "ancien-mdp")
    assert not verify_pbkdf2(stored, "autre")
    assert not verify_pbkdf2("pbkdf2_sha256$garbage", "ancien-mdp")


ACCOUNT = Account(
    account_id="a-1",
    email="compta@acme.fr",
    account_kind="member",
    roles=(),
    status=AccountStatus.ACTIVE,
    person_kind=PersonKind.LEGAL,
    display_name="ACME",
    registered_at=datetime(2026, 12, 1, tzinfo=UTC),
    company_name="ACME",
    legal_form="SAS",
    siret="73282932000074",
    address={"line": "1 rue A", "complement": None, "postal_code": "75001", "city": "Paris"},
)


def test_support_may_change_a_legal_persons_identity_and_address() -> None:
    changes: Changes = {"company_name": "ACME Group", "address": {"city": "Lyon", "postal_code": "69001"}}
    assert support_change_problems(PersonKind.LEGAL, changes) == {}
    diff = changed_fields(ACCOUNT, changes)
    assert diff["company_name"] == FieldChange("ACME", "ACME Group")
    assert diff["address"].after == {"line": "1 rue A", "complement": None, "postal_code": "69001", "city": "Lyon"}
    assert diff["address"].before == ACCOUNT.address
    assert display_name_after(ACCOUNT, diff) == "ACME Group"


def test_support_cannot_touch_other_kinds_fields_nor_empty_nor_bad_siret() -> None:
    problems = support_change_problems(PersonKind.LEGAL, {"first_name": "Jo", "company_name": "", "siret": "1" * 14})
    assert set(problems) == {"first_name", "company_name", "siret"}
    assert "changes" in support_change_problems(PersonKind.NATURAL, {})


def test_an_unchanged_value_makes_no_audit_entry() -> None:
    assert changed_fields(ACCOUNT, {"company_name": "ACME"}) == {}


def test_an_address_cannot_be_emptied() -> None:
    assert set(support_change_problems(PersonKind.LEGAL, {"address": None})) == {"address"}
    assert set(support_change_problems(PersonKind.LEGAL, {"address": {"city": None}})) == {"address.city"}
    assert support_change_problems(PersonKind.LEGAL, {"address": {"complement": None}}) == {}
