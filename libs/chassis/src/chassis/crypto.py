"""Field-level encryption of secrets at rest (AES-256-GCM, `cryptography`).

A key ring comes from one setting: `<kid>:<base64 of 32 bytes>`, several
separated by commas; the first encrypts, every one decrypts, so a key rotates
by putting a new one first and keeping the old until every value was
re-encrypted. A sealed value is a string `enc:v1:<kid>:<base64url(nonce +
ciphertext + tag)>`; its associated data (the field it belongs to) is
authenticated, so a ciphertext moved to another field does not decrypt.

    python -m chassis.crypto new-key [KID]     prints a fresh `<kid>:<key>` entry
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import sys
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """A sealed value that no key of the ring opens (wrong key, tampered, other field)."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_key_ring(value: str) -> tuple[str, dict[str, bytes]]:
    """(current kid, every key by kid) from `kid:base64key[,kid:base64key...]`; raises ValueError."""
    keys: dict[str, bytes] = {}
    current = ""
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        if not sep or not kid or not kid.replace("-", "").replace("_", "").isalnum():
            raise ValueError("each key is `<kid>:<base64 of 32 bytes>` (kid: letters, digits, - or _)")
        try:
            key = _b64decode(encoded.strip().replace("+", "-").replace("/", "_"))
        except ValueError as error:
            raise ValueError(f"key {kid!r} is not base64") from error
        if len(key) != KEY_BYTES:
            raise ValueError(f"key {kid!r} must be {KEY_BYTES} bytes, not {len(key)}")
        if kid in keys:
            raise ValueError(f"key id {kid!r} appears twice")
        keys[kid] = key
        current = current or kid
    if not keys:
        raise ValueError("no key given")
    return current, keys


class FieldCipher:
    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"the current key {current!r} is not in the ring")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.current = current

    @classmethod
    def from_setting(cls, value: str) -> FieldCipher:
        current, keys = parse_key_ring(value)
        return cls(keys, current)

    @classmethod
    def for_development(cls, purpose: str) -> FieldCipher:
        """A fixed key derived from `purpose`: for development and test only (settings refuse it elsewhere)."""
        return cls({"dev": hashlib.sha256(f"creditdesk-development-{purpose}".encode()).digest()}, "dev")

    @staticmethod
    def is_sealed(value: object) -> bool:
        return isinstance(value, str) and value.startswith(PREFIX)

    def seal(self, plaintext: str, *, field: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.current].encrypt(nonce, plaintext.encode(), field.encode())
        return f"{PREFIX}{self.current}:{base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode()}"

    def open(self, value: str, *, field: str) -> str:
        if not self.is_sealed(value):
            raise DecryptionFailed("not a sealed value")
        kid, _, body = value.removeprefix(PREFIX).partition(":")
        key = self._keys.get(kid)
        if key is None:
            raise DecryptionFailed(f"no key {kid!r} in the ring: it was removed before every value was re-encrypted")
        try:
            raw = _b64decode(body)
            return key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], field.encode()).decode()
        except (InvalidTag, ValueError) as error:
            raise DecryptionFailed(f"the value of {field} does not decrypt with key {kid!r}") from error

    def open_or_clear(self, value: str, *, field: str) -> str:
        """A sealed value opened; a value written before encryption existed, as it is."""
        return self.open(value, field=field) if self.is_sealed(value) else value

    def needs_resealing(self, value: object) -> bool:
        """True for a clear value or one sealed with another key than the current one."""
        return not (isinstance(value, str) and value.startswith(f"{PREFIX}{self.current}:"))


def cipher_from(value: str | None, purpose: str) -> FieldCipher:
    """The ring of a setting, or the development key of `purpose` when it is not set
    (settings refuse a missing key outside development and test)."""
    return FieldCipher.from_setting(value) if value else FieldCipher.for_development(purpose)


def new_key_entry(kid: str | None = None) -> str:
    """A fresh `<kid>:<base64 key>` entry for a key-ring setting."""
    kid = kid or secrets.token_hex(4)
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "new-key" or len(argv) > 2:
        print(__doc__.rsplit("\n\n", 1)[-1], file=sys.stderr)
        return 2
    print(new_key_entry(argv[1] if len(argv) == 2 else None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
