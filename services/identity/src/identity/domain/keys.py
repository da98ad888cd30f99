"""The keys that sign access tokens, and the JWKS that publishes their public halves (RFC 7517)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey


class Jwk(TypedDict):
    """One published Ed25519 public key (RFC 8037)."""

    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str


class Jwks(TypedDict):
    keys: list[Jwk]
