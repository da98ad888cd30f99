"""Login, refresh with rotation and reuse detection, logout; the lockout."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from chassis.errors import Problem, Unauthorized
from contracts import RevocationReason, SessionsRevoked
from identity.domain import throttle as throttling
from identity.domain.access_tokens import access_token
from identity.domain.accounts import Account
from identity.domain.commissaires import token_claims
from identity.domain.sessions import RefreshVerdict, judge_refresh
from identity.domain.tokens import expiry, hash_secret, new_secret
from identity.handlers.context import Identity
from identity.handlers.credentials import legacy_credentials_valid


@dataclass(frozen=True)
class SessionTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class LoginLocked(Problem):
    status = 429

    def __init__(self, seconds: int) -> None:
        minutes = max(1, (seconds + 59) // 60)
        super().__init__(
            f"too many failed attempts: logging in is blocked for {minutes} minute(s)",
            code="login-locked",
            headers={"Retry-After": str(seconds)},
        )


def lockout_policies(identity: Identity) -> tuple[throttling.LockoutPolicy, throttling.LockoutPolicy]:
    s = identity.settings
    window, lock = timedelta(seconds=s.lockout_window_seconds), timedelta(seconds=s.lockout_seconds)
    return (
        throttling.LockoutPolicy(s.lockout_account_failures, window, lock),
        throttling.LockoutPolicy(s.lockout_address_failures, window, lock),
    )


class Lockout:
    """Guess counting for one login attempt: by login (an email, whether or
    not it is registered, so the lock reveals nothing) and by client address.
    `reserve` counts the guess before the password is looked at."""

    def __init__(self, identity: Identity, login: str, client_address: str) -> None:
        self._identity = identity
        self._keys = (throttling.login_key(login), f"address:{client_address}")
        self._policies = lockout_policies(identity)

    async def reserve(self) -> None:
        """Count this guess on every key, or refuse it (429) without evaluating it."""
        now = self._identity.now()
        reserved: list[str] = []
        for key, policy in zip(self._keys, self._policies, strict=True):
            refused = await self._identity.throttle.reserve_guess(key, now, policy)
            if refused:
                for earlier in reserved:  # a guess that is not evaluated does not count
                    await self._identity.throttle.give_back(earlier)
                raise LoginLocked(refused)
            reserved.append(key)

    async def failed(self) -> None:
        now = self._identity.now()
        for key, policy in zip(self._keys, self._policies, strict=True):
            await self._identity.throttle.lock_if_spent(key, now, policy)

    async def succeeded(self) -> None:
        # The login's count starts over; the address only gets this guess back:
        # one good password must not reset a spray.
        await self._identity.throttle.forget(self._keys[0])
        await self._identity.throttle.give_back(self._keys[1])


async def legacy_credentials(identity: Identity, login: str, password: str) -> bool:
    """Whether `login` + `password` are valid credentials of a not yet migrated legacy account."""
    legacy = await identity.legacy.credentials(login)
    if legacy is None or legacy.account.is_migrated():
        return False
    return await legacy_credentials_valid(identity, legacy, password)


async def open_session(identity: Identity, account: Account, family_id: str | None = None) -> SessionTokens:
    """An access token and a refresh token (a new family unless rotating)."""
    now = identity.now()
    ttl = identity.settings.access_token_ttl_seconds
    family_id = family_id or uuid.uuid4().hex
    token = access_token(
        await identity.signing_keys.current(),
        account_id=account.account_id,
        email=account.email,
        roles=list(account.roles),
        extra=token_claims(list(account.roles), account.office_id),
        session_id=family_id,  # the login: every token of one refresh family shares it
        issuer=identity.settings.jwt_issuer,
        audience=identity.settings.jwt_audience,
        now=now,
        ttl_seconds=ttl,
    )
    refresh, refresh_hash = new_secret()
    refresh_ttl = timedelta(days=identity.settings.refresh_token_ttl_days)
    await identity.sessions.issue(
        refresh_hash,
        family_id=family_id,
        account_id=account.account_id,
        now=now,
        expires_at=expiry(now, refresh_ttl),
    )
    return SessionTokens(token, ttl, refresh, int(refresh_ttl.total_seconds()))


async def log_in(identity: Identity, email: str, password: str, client_address: str) -> SessionTokens:
    """LogIn: tokens for valid credentials of an active account."""
    lockout = Lockout(identity, email, client_address)
    await lockout.reserve()  # beyond the guesses of the window, the password is not even looked at
    found = await identity.accounts.credentials(email)
    verification = await identity.passwords.verify(found.password_hash if found else None, password)
    if found is None and await legacy_credentials(identity, email, password):
        await lockout.succeeded()  # a right (former-portal) password
        # The old portal's users log in "as usual" and are redirected to the migration.
        raise Problem(
            "these are former-portal credentials: migrate your account first at /api/identity/legacy/sessions",
            status=409,
            code="legacy-migration-required",
        )
    if found is None or not verification.valid:
        await lockout.failed()
        raise Unauthorized(
            "wrong email or password (users of the former portal: log in at /legacy/sessions to migrate)",
            code="invalid-credentials",
        )
    await lockout.succeeded()
    account = found.account
    if verification.rehashed and found.password_hash:
        await identity.accounts.replace_hash(account.account_id, found.password_hash, verification.rehashed)
    if not account.is_active():
        raise Problem(
            "this account is not activated yet: follow the link in the activation mail",
            status=403,
            code="account-not-activated",
        )
    return await open_session(identity, account)


def refresh_refused(reused: bool = False) -> Unauthorized:
    if reused:
        return Unauthorized(
            "this refresh token was already used: every session of its login is revoked, log in again",
            code="refresh-token-reused",
        )
    return Unauthorized("this refresh token is invalid, expired or revoked: log in again", code="refresh-token-invalid")


async def refresh_session(identity: Identity, refresh_token: str) -> SessionTokens:
    """RefreshSession: the presented token is consumed and the next one issued;
    presenting a consumed token again revokes its whole family."""
    token_hash = hash_secret(refresh_token)
    stored = await identity.sessions.find(token_hash)
    account = await identity.accounts.by_id(stored.account_id) if stored else None
    verdict = judge_refresh(stored, identity.now(), account.sessions_revoked_before if account else None)
    if verdict is RefreshVerdict.REUSED and stored is not None:
        await revoke_session(identity, stored.account_id, stored.family_id, "refresh-token-reused")
        raise refresh_refused(reused=True)
    if verdict is not RefreshVerdict.ROTATE or stored is None or account is None:
        raise refresh_refused()
    if not account.is_active():
        raise refresh_refused()
    if not await identity.sessions.consume(token_hash, identity.now()):
        # Two refreshes raced with one token: one of them is a copy.
        await revoke_session(identity, stored.account_id, stored.family_id, "refresh-token-reused")
        raise refresh_refused(reused=True)
    return await open_session(identity, account, family_id=stored.family_id)


async def revoke_session(identity: Identity, account_id: str, family_id: str, reason: RevocationReason) -> None:
    """Close one login: its refresh tokens are revoked and `SessionsRevoked`
    tells every service to refuse its access tokens. The event is written
    first: a failure in between revokes too much (the family's access tokens),
    never too little."""
    now = identity.now()
    event = SessionsRevoked(account_id=account_id, session_ids=[family_id], revoked_at=now, reason=reason)
    await identity.accounts.announce(account_id, [event])
    await identity.sessions.revoke_family(family_id)


async def log_out(identity: Identity, refresh_token: str) -> None:
    """LogOut: the refresh token's login is closed (idempotent, silent for an
    unknown token); its access tokens are refused everywhere within seconds."""
    stored = await identity.sessions.find(hash_secret(refresh_token))
    if stored is not None and not stored.revoked:
        await revoke_session(identity, stored.account_id, stored.family_id, "logout")


def every_session_revoked(
    account_id: str, session_ids: list[str], now: datetime, reason: RevocationReason
) -> SessionsRevoked:
    """The event that closes every login of an account: the open ones by id,
    and any other token issued before now."""
    return SessionsRevoked(
        account_id=account_id, session_ids=session_ids, issued_before=now, revoked_at=now, reason=reason
    )


async def log_out_everywhere(identity: Identity, account_id: str) -> int:
    now = identity.now()
    sessions = await identity.sessions.open_families(account_id, now)
    await identity.accounts.announce(
        account_id, [every_session_revoked(account_id, sessions, now, "logout-everywhere")]
    )
    return await identity.sessions.revoke_account(account_id)
