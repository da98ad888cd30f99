"""`chassis.crypto`: sealed fields, key rings, rotation."""

from __future__ import annotations

import pytest

from chassis.crypto import DecryptionFailed, FieldCipher, new_key_entry, parse_key_ring

OLD, NEW = new_key_entry("old"), new_key_entry("new")


def test_a_sealed_value_opens_only_with_its_key_and_field() -> None:
    cipher = FieldCipher.from_setting(OLD)
    sealed = cipher.seal("FR1420041010050500013M02606", field="billing.iban")
    assert sealed.startswith("enc:v1:old:")
    assert "FR14" not in sealed
    assert cipher.seal("same", field="f") != cipher.seal("same", field="f")  # a fresh nonce each time
    assert cipher.open(sealed, field="billing.iban") == "FR1420041010050500013M02606"
    with pytest.raises(DecryptionFailed):
        cipher.open(sealed, field="billing.bic")
    with pytest.raises(DecryptionFailed):
        FieldCipher.from_setting(NEW).open(sealed, field="billing.iban")
    with pytest.raises(DecryptionFailed):
        cipher.open(sealed[:-4] + "AAAA", field="billing.iban")


def test_a_new_key_first_seals_and_the_old_one_still_opens() -> None:
    sealed = FieldCipher.from_setting(OLD).seal("secret", field="f")
    ring = FieldCipher.from_setting(f"{NEW},{OLD}")
    assert ring.open(sealed, field="f") == "secret"
    assert ring.needs_resealing(sealed)
    resealed = ring.seal("secret", field="f")
    assert resealed.startswith("enc:v1:new:")
    assert not ring.needs_resealing(resealed)
    assert ring.open_or_clear("written before encryption", field="f") == "written before encryption"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "no key"),
        ("nokid", "<kid>:"),
        ("k1:c2hvcnQ=", "32 bytes"),
        (f"{OLD},{OLD}", "twice"),
    ],
    ids=["empty", "no-kid", "short-key", "same-kid-twice"],  # stable across processes: OLD is random
)
def test_malformed_key_rings_are_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_key_ring(value)
