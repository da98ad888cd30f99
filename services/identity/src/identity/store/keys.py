"""Keys that sign access tokens, and the JWKS that publishes their public halves.

Every key ever used stays published until removed on purpose, so tokens signed
before a rotation still verify; the newest key signs. A stored private key is
never in clear: `private_sealed` holds its PEM encrypted with the key-encryption
key ring (`chassis.crypto`, associated data `signing_keys:<kid>`), so a copy of
the database alone signs nothing. Keys stored in clear by earlier versions
(`private_pem`) are sealed at the first read.
"""

from __future__ import annotations

import base64
import hashlib
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from chassis.clock import Clock
from chassis.crypto import FieldCipher
from chassis.mongo import Document, MongoDatabase
from identity.domain.keys import Jwk, Jwks, SigningKey

SIGNING_KEYS = "signing_keys"
SEALED = "private_sealed"
CLEAR = "private_pem"  # earlier versions only
NEWEST = [("created_at", -1), ("created_seq", -1)]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return _b64(hashlib.sha256(_raw_public(key)).digest())[:16]


def _load(pem: str) -> SigningKey:
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 private key (PEM, PKCS#8)")
    return SigningKey(kid=key_id(private.public_key()), private_key=private)


def _pem(private: Ed25519PrivateKey) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class KeyStore:
    def __init__(self, db: MongoDatabase, clock: Clock, cipher: FieldCipher) -> None:
        self._keys = db[SIGNING_KEYS]
        self._clock = clock
        self._cipher = cipher
        self._sealed_clear_ones = False

    @staticmethod
    def _field(kid: str) -> str:
        return f"{SIGNING_KEYS}:{kid}"

    async def seal_clear_keys(self) -> int:
        """Encrypt private keys stored in clear (or under a retired KEK); how many were."""
        count = 0
        query = {"$or": [{CLEAR: {"$exists": True}}, {SEALED: {"$exists": True}}]}
        async for doc in self._keys.find(query):
            kid = str(doc["_id"])
            if CLEAR in doc:
                pem = str(doc[CLEAR])
            elif self._cipher.needs_resealing(doc[SEALED]):
                pem = self._cipher.open(str(doc[SEALED]), field=self._field(kid))
            else:
                continue
            sealed = self._cipher.seal(pem, field=self._field(kid))
            await self._keys.update_one({"_id": kid}, {"$set": {SEALED: sealed}, "$unset": {CLEAR: ""}})
            count += 1
        return count

    async def _newest_stored(self) -> SigningKey | None:
        if not self._sealed_clear_ones:
            await self.seal_clear_keys()
            self._sealed_clear_ones = True
        newest = await self._keys.find_one({SEALED: {"$exists": True}}, sort=NEWEST)
        if newest is None:
            return None
        return _load(self._cipher.open(str(newest[SEALED]), field=self._field(str(newest["_id"]))))

    async def current(self, configured_pem: str | None) -> SigningKey:
        """The configured key, or the newest stored one, or a new one."""
        if configured_pem:
            key = _load(configured_pem)
            await self._publish(key, store_private=False)
            return key
        newest = await self._newest_stored()
        if newest is not None:
            return newest
        key = _load(_pem(Ed25519PrivateKey.generate()))
        await self._publish(key, store_private=True)
        return key

    async def rotate(self) -> SigningKey:
        """A new stored key that signs from now on; earlier keys stay published,
        so tokens they signed still verify until they expire."""
        key = _load(_pem(Ed25519PrivateKey.generate()))
        await self._publish(key, store_private=True)
        return key

    async def retire(self, kid: str) -> bool:
        """Remove a key from the JWKS (tokens it signed stop verifying). The
        newest stored key, the one that signs, cannot be retired."""
        newest = await self._keys.find_one({SEALED: {"$exists": True}}, {"_id": 1}, sort=NEWEST)
        if newest is not None and newest["_id"] == kid:
            return False
        result = await self._keys.delete_one({"_id": kid})
        return result.deleted_count == 1

    async def _publish(self, key: SigningKey, *, store_private: bool) -> None:
        document: Document = {
            "public_x": _b64(_raw_public(key.private_key.public_key())),
            "created_at": self._clock.now(),
            "created_seq": time.time_ns(),
        }
        if store_private:
            document[SEALED] = self._cipher.seal(_pem(key.private_key), field=self._field(key.kid))
        await self._keys.update_one({"_id": key.kid}, {"$setOnInsert": document}, upsert=True)

    async def jwks(self) -> Jwks:
        keys = [
            Jwk(kty="OKP", crv="Ed25519", x=doc["public_x"], kid=doc["_id"], use="sig", alg="EdDSA")
            async for doc in self._keys.find({}, {"public_x": 1}).sort("created_at", -1)
        ]
        return Jwks(keys=keys)


class SigningKeys:
    """The key that signs now, re-read at most every `refresh_seconds`, so a
    rotation made by the admin command reaches every instance without a restart."""

    def __init__(self, store: KeyStore, configured_pem: str | None, refresh_seconds: float = 5.0) -> None:
        self._store = store
        self._pem = configured_pem
        self._refresh = refresh_seconds
        self._key: SigningKey | None = None
        self._read_at = 0.0

    async def current(self) -> SigningKey:
        if self._key is None or time.monotonic() - self._read_at >= self._refresh:
            self._key = await self._store.current(self._pem)
            self._read_at = time.monotonic()
        return self._key
