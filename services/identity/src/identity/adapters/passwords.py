"""Password hashing: argon2id (the `PasswordHasher` port of `identity.ports`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from identity.ports import Verification
from identity.settings import IdentitySettings

T = TypeVar("T")


# Threads hashing at once. Each argon2 call takes `argon2_memory_kib` (19 MB) from malloc, and
# every thread's malloc arena keeps what it once held: on the default executor (up to 6 threads
# here) identity grew by 19 MB a thread, to 248 MB resident after a busy run. Two threads keep it
# at 38 MB, and hashing is CPU-bound: more threads than cores would only share the same cores.
HASH_THREADS = 2


class Passwords:
    """argon2id with the configured cost; slow on purpose, so off the event loop, on its own threads."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int, threads: int = HASH_THREADS) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        # Verified against when the email is unknown, so both cases take the same time.
        self.dummy_hash = self._hasher.hash("not-a-password-Aa1!")

    @classmethod
    def from_settings(cls, settings: IdentitySettings) -> Passwords:
        return cls(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, work, *args)

    async def hash(self, password: str) -> str:
        return await self._off_loop(self._hasher.hash, password)

    def _verify(self, stored: str, password: str) -> Verification:
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return Verification(valid=False)
        if self._hasher.check_needs_rehash(stored):
            return Verification(valid=True, rehashed=self._hasher.hash(password))
        return Verification(valid=True)

    async def verify(self, stored: str | None, password: str) -> Verification:
        """Checks `password`; with no stored hash, spends the same time and fails."""
        if stored is None:
            await self._off_loop(self._verify, self.dummy_hash, password)
            return Verification(valid=False)
        return await self._off_loop(self._verify, stored, password)
