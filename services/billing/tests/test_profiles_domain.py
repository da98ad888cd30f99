from __future__ import annotations

from billing.domain.profiles import is_creditor
from contracts import AccountActivated, PersonKind


def activated(kind: str) -> AccountActivated:
    return AccountActivated(
        account_id="a", email="a@b.fr", person_kind=PersonKind.NATURAL, display_name="A", account_kind=kind
    )


def test_only_members_are_creditors_with_a_billing_profile() -> None:
    assert is_creditor(activated("member"))
    assert not is_creditor(activated("customer"))
