"""Commissaire accounts' use cases, one module each, on the ports (`identity.ports`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chassis.mail import Mail
from chassis.tokens import LinkTokens
from identity.handlers.context import Identity
from identity.ports import CommissaireStore

# The portal page the invitation links to (token in the fragment); it POSTs
# the token with the chosen password to /commissaires/activation.
ACTIVATION_PAGE = "/commissaire-activation"


@dataclass(frozen=True)
class CommissaireDeps:
    store: CommissaireStore
    tokens: LinkTokens
    now: Callable[[], datetime]
    hash_password: Callable[[str], Awaitable[str]]
    mail: Callable[[str, tuple[str, str]], Mail]
    page_link: Callable[[str, str], str]
    invitation_ttl: timedelta
    mail_queued: Callable[[], None]


def commissaire_deps(identity: Identity, store: CommissaireStore) -> CommissaireDeps:
    return CommissaireDeps(
        store=store,
        tokens=identity.tokens,
        now=identity.now,
        hash_password=identity.passwords.hash,
        mail=identity.mail,
        page_link=identity.page_link,
        invitation_ttl=timedelta(hours=identity.settings.activation_ttl_hours),
        mail_queued=identity.courier_wakeup.notify,
    )
