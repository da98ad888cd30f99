"""The leaked-password list, kept small: a sorted array of 64-bit hashes, searched by bisection.

The list (zxcvbn's 30,000 most frequent passwords of public leaks) used to be loaded as zxcvbn's
whole frequency module (every dictionary of zxcvbn, about 12 MB resident) and a frozenset of
its strings. Only membership is ever asked, so each password is kept as the first 8 bytes of its
BLAKE2b digest, the digests sorted in one `array("Q")`: 240 KB, shipped in the package
(`leaked-passwords.bin`, little-endian), read once. No string of the list is in memory.

False positives: a password not on the list is refused only if its 64-bit hash equals one of
the 30,000 listed ones, a probability of 30,000 / 2^64, about 1.6e-15 a lookup (a check makes at
most four lookups). No false negatives: a listed password always has its own hash in the array.

Rebuild the file from zxcvbn (it stays a dependency for this): `python -m identity.domain.leaked`.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

DATA_FILE = "leaked-passwords.bin"
DIGEST_BYTES = 8


def digest(password: str) -> int:
    """The 64-bit key of a (lower-cased) password."""
    return int.from_bytes(hashlib.blake2b(password.encode(), digest_size=DIGEST_BYTES).digest(), "little")


class LeakedPasswords:
    """Membership of a fixed list of passwords, by their sorted 64-bit hashes."""

    def __init__(self, keys: array[int]) -> None:
        self._keys = keys

    @classmethod
    def of(cls, passwords: Iterable[str]) -> LeakedPasswords:
        return cls(array("Q", sorted({digest(p) for p in passwords})))

    @classmethod
    def from_bytes(cls, data: bytes) -> LeakedPasswords:
        keys = array("Q")
        keys.frombytes(data)
        if sys.byteorder == "big":
            keys.byteswap()  # the file is little-endian
        return cls(keys)

    def to_bytes(self) -> bytes:
        keys = array("Q", self._keys)
        if sys.byteorder == "big":
            keys.byteswap()
        return keys.tobytes()

    def __contains__(self, password: object) -> bool:
        if not isinstance(password, str):
            return False
        key = digest(password)
        at = bisect_left(self._keys, key)
        return at < len(self._keys) and self._keys[at] == key

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        return self._keys.itemsize * len(self._keys)


def shipped() -> LeakedPasswords:
    """The list shipped in the package."""
    return LeakedPasswords.from_bytes((resources.files("identity.domain") / DATA_FILE).read_bytes())


def from_zxcvbn() -> LeakedPasswords:
    """The list built from zxcvbn's frequency lists (to write the shipped file, and to check it)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return LeakedPasswords.of(FREQUENCY_LISTS["passwords"])


if __name__ == "__main__":
    target = Path(__file__).with_name(DATA_FILE)
    built = from_zxcvbn()
    target.write_bytes(built.to_bytes())
    print(f"{target}: {len(built)} passwords, {built.nbytes} bytes")
