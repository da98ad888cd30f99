"""What every handler works with: identity's settings and ports (`identity.ports`), wired by the
app on the real adapters or by a unit test on the in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chassis.clock import Clock
from chassis.errors import Problem
from chassis.mail import Mail
from chassis.outbox import Wakeup
from chassis.tokens import LinkTokens
from identity.domain import throttle as throttling
from identity.domain.links import MailedLink
from identity.ports import (
    AccountStore,
    ClientStore,
    FirstConnectionRequestStore,
    KeyDirectory,
    LegacyStore,
    OrderEmailStore,
    PasswordHasher,
    SessionStore,
    SigningKeyProvider,
    ThrottleStore,
)
from identity.settings import IdentitySettings

# The portal's pages that mails link to without a token.
LOGIN_PAGE = "/login"
PASSWORD_FORGOTTEN_PAGE = "/password-forgotten"


@dataclass
class Identity:
    """Identity's ports, next to its settings and clock."""

    clock: Clock
    settings: IdentitySettings
    accounts: AccountStore
    sessions: SessionStore
    throttle: ThrottleStore
    order_emails: OrderEmailStore
    legacy: LegacyStore
    keys: KeyDirectory
    signing_keys: SigningKeyProvider
    passwords: PasswordHasher
    courier_wakeup: Wakeup
    clients: ClientStore
    first_connection_requests: FirstConnectionRequestStore
    # Every single-use link and ticket identity mails or hands out (`identity.domain.links`).
    tokens: LinkTokens

    def now(self) -> datetime:
        return self.clock.now()

    def page(self, page: str) -> str:
        """A mailed link to a page of the web portal that needs no token (login, forgotten password)."""
        return f"{self.settings.public_base_url}{page}"

    def page_link(self, page: str, token: str) -> str:
        """A mailed link to a page of the web portal, on the public address,
        with the token in the URL fragment: a browser never sends a fragment,
        so no server, proxy or access log ever sees the token. The page reads
        it and POSTs it to the API."""
        return f"{self.settings.public_base_url}{page}#token={token}"

    def mail(self, to: str, subject_and_text: tuple[str, str]) -> Mail:
        subject, text = subject_and_text
        return Mail(to=to, subject=subject, text=text)

    def new_link(self, ttl: timedelta) -> MailedLink:
        """What a document keeps of a link mailed now that opens for `ttl`."""
        now = self.now()
        return MailedLink(expires_at=now + ttl, sent_at=now)

    async def replace_link(self, purpose: str, token: str, subject: str, queued: bool) -> None:
        """After a conditional write that queued (or not) the mail carrying `token`: the new link
        replaces the subject's earlier ones, or, when the write was refused (the resend throttle),
        the new token is used up at once and the earlier link keeps working."""
        if queued:
            await self.tokens.revoke(purpose, subject, keep=token)
            self.courier_wakeup.notify()
        else:
            await self.tokens.consume(purpose, token)

    @property
    def resend_interval(self) -> timedelta:
        return timedelta(seconds=self.settings.mail_resend_interval_seconds)

    async def limit_mail_requests(self, action: str, client_address: str) -> None:
        """Requests that send mail, per client address and fixed window: beyond
        the limit, 429 (which says nothing about any email)."""
        window = timedelta(seconds=self.settings.mail_requests_window_seconds)
        now = self.now()
        start = throttling.window_start(now, window)
        count = await self.throttle.count(f"{action}:address:{client_address}", start, now)
        if count > self.settings.mail_requests_per_address:
            retry = throttling.seconds_to_next_window(now, window)
            raise Problem(
                f"too many requests from your address; try again in {retry} seconds",
                status=429,
                code="rate-limited",
                headers={"Retry-After": str(retry)},
            )
