"""Signing keys at rest (real Mongo server): the raw documents hold no private
key material in clear; the sealed keys sign, rotate through the admin command
and survive a rotation of the key-encryption key."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from chassis.clock import SystemClock
from chassis.crypto import DecryptionFailed, FieldCipher, new_key_entry
from identity import admin
from identity.settings import IdentitySettings
from identity.store.keys import SIGNING_KEYS, KeyStore, SigningKeys, _pem, key_id

pytestmark = pytest.mark.infra

KEK = new_key_entry("kek1")


def no_key_material(document: dict[str, Any]) -> bool:
    text = repr(document)
    return "PRIVATE KEY" not in text and "private_pem" not in document


async def test_stored_private_keys_are_sealed_and_rotation_still_works(make_harness: Any) -> None:
    h = await make_harness(key_encryption_key=KEK)
    email = h.new_email()
    await h.register_and_activate(email)
    first = jwt.get_unverified_header((await h.log_in(email))["access_token"])["kid"]

    settings: IdentitySettings = h.identity.settings
    assert await admin.run(argparse.Namespace(command="rotate-key"), settings) == 0
    h.identity.signing_keys = SigningKeys(h.identity.keys, None, refresh_seconds=0)
    second = jwt.get_unverified_header((await h.log_in(email))["access_token"])["kid"]
    assert second != first
    published = {key["kid"] for key in (await h.http.get("/.well-known/jwks.json")).json()["keys"]}
    assert {first, second} <= published

    documents = [doc async for doc in h.db[SIGNING_KEYS].find({})]
    assert len(documents) == 2
    for document in documents:
        assert no_key_material(document), document
        assert document["private_sealed"].startswith("enc:v1:kek1:")
        with pytest.raises(DecryptionFailed):  # a copy of the database alone opens nothing
            FieldCipher.from_setting(new_key_entry("kek1")).open(
                document["private_sealed"], field=f"{SIGNING_KEYS}:{document['_id']}"
            )


async def test_a_key_stored_in_clear_earlier_is_sealed_and_a_new_kek_reseals(make_harness: Any) -> None:
    h = await make_harness(key_encryption_key=KEK)
    await KeyStore(h.db, SystemClock(), FieldCipher.from_setting(KEK)).rotate()
    # The newest key, as an earlier version stored it: the PEM in clear.
    private = Ed25519PrivateKey.generate()
    kid = key_id(private.public_key())
    await h.db[SIGNING_KEYS].insert_one(
        {"_id": kid, "public_x": "x", "created_at": datetime.now(UTC), "created_seq": 0, "private_pem": _pem(private)}
    )
    assert (await KeyStore(h.db, SystemClock(), FieldCipher.from_setting(KEK)).current(None)).kid == kid
    assert all([no_key_material(doc) async for doc in h.db[SIGNING_KEYS].find({})])

    # A new key-encryption key first, the old one kept: the admin command reseals with the new one.
    ring = f"{new_key_entry('kek2')},{KEK}"
    settings = h.identity.settings.model_copy(update={"key_encryption_key": SecretStr(ring)})
    assert await admin.run(argparse.Namespace(command="seal-keys"), settings) == 0
    kek2_only = ring.split(",")[0]
    store = KeyStore(h.db, SystemClock(), FieldCipher.from_setting(kek2_only))
    assert (await store.current(None)).kid == kid
    assert all([doc["private_sealed"].startswith("enc:v1:kek2:") async for doc in h.db[SIGNING_KEYS].find({})])


def test_production_refuses_a_missing_key_encryption_key() -> None:
    with pytest.raises(ValueError, match="IDENTITY_KEY_ENCRYPTION_KEY"):
        IdentitySettings(environment="production", client_address_key="a-real-client-key-5d1c")
    with pytest.raises(ValueError, match="IDENTITY_CLIENT_ADDRESS_KEY"):
        IdentitySettings(environment="production", key_encryption_key=KEK)
    IdentitySettings(
        environment="production",
        key_encryption_key=KEK,
        client_address_key="a-real-client-key-5d1c",
    )
