"""A navigation entry; the entries themselves are listed in `portal.pages.NAV`."""

from __future__ import annotations

from dataclasses import dataclass

from portal.ports import Session


@dataclass(frozen=True)
class NavEntry:
    """A link of the navigation bar. `label` is an English msgid (translated when shown).
    `roles`: shown to a logged-in session having one of them (identity's roles plus the
    account kind: `member`, `customer`, `staff`, and roles such as `support`, `operator`,
    `commissaire`); empty: to every logged-in session. `anonymous=True`: only to people
    not logged in."""

    path: str
    label: str
    roles: tuple[str, ...] = ()
    anonymous: bool = False

    def visible_to(self, session: Session) -> bool:
        if self.anonymous:
            return not session.logged_in
        return session.logged_in and (not self.roles or session.has_role(*self.roles))
