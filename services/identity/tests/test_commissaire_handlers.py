"""Commissaire accounts' use cases on in-memory fakes: support creates one
bound to an office, the invitation link (single use, expiring) sets the
password and activates; the token claims of a commissaire."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chassis.auth import Caller
from chassis.errors import Conflict, Forbidden, NotFound, Problem
from chassis.mail import Mail
from chassis.tokens import InMemoryTokens
from identity.domain.accounts import AccountStatus, Civility
from identity.domain.commissaires import office_id_problem, token_claims
from identity.domain.passwords import PasswordRefused
from identity.handlers.commissaires import CommissaireDeps
from identity.handlers.commissaires.activate_commissaire import activate_commissaire, invited
from identity.handlers.commissaires.create_commissaire import CreateCommissaire, create_commissaire
from identity.handlers.commissaires.resend_invitation import resend_invitation
from services.identity.tests.fakes import InMemoryCommissaireStore

PASSWORD = "Correct-Horse-9!"
SUPPORT = Caller(account_id="agent-1", email="agent@example.fr", roles=("support",), claims={})
MEMBER = Caller(account_id="member-1", email="member@example.fr", roles=(), claims={})


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def deps(store: InMemoryCommissaireStore, clock: Clock) -> tuple[CommissaireDeps, list[int]]:
    queued: list[int] = []

    async def hash_password(password: str) -> str:
        return f"hashed:{password}"

    def mail(to: str, subject_and_text: tuple[str, str]) -> Mail:
        return Mail(to, *subject_and_text)

    return (
        CommissaireDeps(
            store=store,
            tokens=InMemoryTokens(clock),
            now=clock.now,
            hash_password=hash_password,
            mail=mail,
            page_link=lambda page, token: f"http://portal.test{page}#token={token}",
            invitation_ttl=timedelta(hours=48),
            mail_queued=lambda: queued.append(1),
        ),
        queued,
    )


def command(**changes: Any) -> CreateCommissaire:
    base: dict[str, Any] = {
        "email": "Etude.Martin@Example.fr",
        "first_name": "Claire",
        "last_name": "Martin",
        "office_id": "sample-paris-1",
        "civility": Civility.MRS,
    }
    return CreateCommissaire(**(base | changes))


def token_of(store: InMemoryCommissaireStore) -> str:
    match = re.search(r"/commissaire-activation#token=([\w-]+)", store.mails[-1].text)
    assert match, store.mails[-1].text
    return match.group(1)


async def test_support_creates_an_invited_commissaire_bound_to_an_office() -> None:
    store, clock = InMemoryCommissaireStore(), Clock()
    d, queued = deps(store, clock)
    created = await create_commissaire(d, SUPPORT, command())
    assert created.status is AccountStatus.INVITED
    assert created.email == "etude.martin@example.fr"
    assert created.office_id == "sample-paris-1"
    assert created.created_by == "agent-1"
    assert store.mails[0].to == "etude.martin@example.fr"
    assert "Maître Claire Martin" in store.mails[0].text
    assert queued == [1]


async def test_only_support_creates_commissaires_with_a_well_formed_office_and_a_free_email() -> None:
    store, clock = InMemoryCommissaireStore(taken_emails={"taken@example.fr"}), Clock()
    d, _ = deps(store, clock)
    with pytest.raises(Forbidden):
        await create_commissaire(d, MEMBER, command())
    with pytest.raises(Problem) as bad_office:
        await create_commissaire(d, SUPPORT, command(office_id="Paris 1"))
    assert bad_office.value.status == 422
    with pytest.raises(Conflict):
        await create_commissaire(d, SUPPORT, command(email="taken@example.fr"))
    assert store.accounts == {}


@pytest.mark.parametrize("office_id", ["sample-paris-1", "sample-fort-de-france-2", "x1"])
def test_office_ids_of_the_directory_have_the_right_form(office_id: str) -> None:
    assert office_id_problem(office_id) is None


@pytest.mark.parametrize("office_id", ["", "Sample-Paris", "a b", "-x", "x-", "é", "a" * 65])
def test_other_office_ids_are_refused(office_id: str) -> None:
    assert office_id_problem(office_id)


async def test_the_link_activates_once_with_a_password_under_the_policy() -> None:
    store, clock = InMemoryCommissaireStore(), Clock()
    d, _ = deps(store, clock)
    created = await create_commissaire(d, SUPPORT, command())
    token = token_of(store)
    assert (await invited(d, token)).account_id == created.account_id
    with pytest.raises(PasswordRefused):
        await activate_commissaire(d, token, "short", "short")
    with pytest.raises(PasswordRefused):
        await activate_commissaire(d, token, PASSWORD, PASSWORD + "x")
    active = await activate_commissaire(d, token, PASSWORD, PASSWORD)
    assert store.accounts[active.account_id].status is AccountStatus.ACTIVE
    assert store.password_hashes[active.account_id] == f"hashed:{PASSWORD}"
    with pytest.raises(Problem) as again:
        await activate_commissaire(d, token, PASSWORD, PASSWORD)
    assert again.value.status == 400


async def test_an_expired_link_is_refused_and_a_resent_one_replaces_it() -> None:
    store, clock = InMemoryCommissaireStore(), Clock()
    d, _ = deps(store, clock)
    created = await create_commissaire(d, SUPPORT, command())
    first = token_of(store)
    clock.at += timedelta(hours=48)
    with pytest.raises(Problem):
        await activate_commissaire(d, first, PASSWORD, PASSWORD)
    await resend_invitation(d, SUPPORT, created.account_id)
    second = token_of(store)
    with pytest.raises(Problem):
        await invited(d, first)
    await activate_commissaire(d, second, PASSWORD, PASSWORD)
    with pytest.raises(Conflict):
        await resend_invitation(d, SUPPORT, created.account_id)
    with pytest.raises(NotFound):
        await resend_invitation(d, SUPPORT, "nobody")
    with pytest.raises(Forbidden):
        await resend_invitation(d, MEMBER, created.account_id)


async def test_a_resent_link_replaces_a_live_one_and_a_refused_create_leaves_no_live_link() -> None:
    store, clock = InMemoryCommissaireStore(taken_emails={"taken@example.fr"}), Clock()
    d, _ = deps(store, clock)
    created = await create_commissaire(d, SUPPORT, command())
    first = token_of(store)
    await resend_invitation(d, SUPPORT, created.account_id)
    second = token_of(store)
    with pytest.raises(Problem):
        await invited(d, first)
    assert (await invited(d, second)).account_id == created.account_id
    with pytest.raises(Conflict):
        await create_commissaire(d, SUPPORT, command(email="taken@example.fr"))
    tokens = d.tokens
    assert isinstance(tokens, InMemoryTokens)
    live = [r for r in tokens.records.values() if r.used_at is None]
    assert [r.subject for r in live] == [created.account_id]


def test_a_commissaire_token_carries_the_office() -> None:
    assert token_claims(["commissaire"], "sample-paris-1") == {"office_id": "sample-paris-1"}
    assert token_claims(["support"], "sample-paris-1") == {}
    assert token_claims(["commissaire"], None) == {}
