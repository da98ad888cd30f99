"""Teams' use cases on in-memory fakes of its ports: the rules as a route meets them, in milliseconds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from chassis.auth import Caller
from chassis.errors import Problem
from contracts.events.teams import InvitationSent, MemberJoined, MemberRightsChanged, Right
from services.teams.tests.fakes import FakeTeams, fake_teams
from teams.domain.claims import ClaimStatus
from teams.domain.invitations import InvitationStatus
from teams.domain.rights import ProofKind
from teams.handlers import claims, companies, invitations, members
from teams.handlers.common import ProofInput
from teams.handlers.invitations import InvitationForm

SIREN = "732829320"
PDF = b"%PDF-1.4\n% Extrait Kbis\n%%EOF\n"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
SUPPORT = Caller("support-1", "support@creditdesk.dev", ("support",), {})


def caller(account_id: str, email: str) -> Caller:
    return Caller(account_id, email, (), {})


async def open_space(f: FakeTeams) -> Caller:
    """The legal person claims its space and support approves: its account is the first admin."""
    f.accounts.add("acme", "admin@acme.fr", siren=SIREN, name="ACME SAS")
    admin = caller("acme", "admin@acme.fr")
    claim = await claims.claim_company(f.teams, admin, SIREN, "06 12 34 56 78", PDF, "203.0.113.7")
    await claims.approve_claim(f.teams, SUPPORT, SIREN, claim.claim_id, None)
    return admin


def problem_code(error: pytest.ExceptionInfo[Problem]) -> tuple[int, str | None]:
    return error.value.status, error.value.code


def sms_code(f: FakeTeams) -> str:
    match = re.search(r"\b(\d{6})\b", f.sms.sent[-1][1])
    assert match
    return match.group(1)


async def invited(f: FakeTeams, admin: Caller, rights: list[Right] | None = None) -> str:
    form = InvitationForm(
        email="Paul.Martin@Example.fr",
        first_name="Paul",
        last_name="Martin",
        mobile="06 98 76 54 32",
        rights=rights if rights is not None else [Right.VIEW_FINANCIAL_DOCUMENTS],
        proof_of_power=None,
    )
    return (await invitations.invite(f.teams, admin, SIREN, form)).invitation_id


async def test_an_approved_claim_opens_the_space_with_its_claimant_as_first_admin() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    company, me = await companies.company_of_admin(f.teams, admin, SIREN)
    assert company.name == "ACME SAS"
    assert me.mobile == "+33612345678"
    assert set(me.rights) == set(Right)
    assert any(isinstance(e, MemberRightsChanged) for e in f.written.events)
    assert [r.action for r in f.written.audit] == ["company_space_created"]
    claimant = await claims.my_claim(f.teams, admin, SIREN)
    assert claimant.status == ClaimStatus.APPROVED


async def test_only_the_legal_persons_own_account_may_claim_and_a_second_claimant_waits() -> None:
    f = fake_teams(NOW)
    f.accounts.add("someone", "someone@example.fr")
    with pytest.raises(Problem) as refused:
        await claims.claim_company(f.teams, caller("someone", "someone@example.fr"), SIREN, "0612345678", PDF, "")
    assert problem_code(refused) == (403, "not-the-company-account")

    f.accounts.add("first", "first@acme.fr", siren=SIREN)
    f.accounts.add("second", "second@acme.fr", siren=SIREN)
    await claims.claim_company(f.teams, caller("first", "first@acme.fr"), SIREN, "0612345678", PDF, "")
    with pytest.raises(Problem) as waiting:
        await claims.claim_company(f.teams, caller("second", "second@acme.fr"), SIREN, "0612345679", PDF, "")
    assert problem_code(waiting) == (409, "claim-under-review")
    ((siren, pending),) = await claims.pending_claims(f.teams, SUPPORT)
    assert siren == SIREN
    assert [c.account_id for c in pending] == ["first", "second"]


async def test_an_extract_is_checked_by_its_content() -> None:
    f = fake_teams(NOW)
    f.accounts.add("acme", "admin@acme.fr", siren=SIREN)
    with pytest.raises(Problem) as refused:
        await claims.claim_company(
            f.teams, caller("acme", "admin@acme.fr"), SIREN, "0612345678", b"GIF89a not a kbis", ""
        )
    assert problem_code(refused) == (422, "validation")
    assert [e["field"] for e in refused.value.errors or []] == ["extract"]
    assert "PDF, JPEG or PNG" in refused.value.detail


async def test_an_invitation_is_confirmed_by_the_admins_code_and_accepted_by_the_invitee_once() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    invitation_id = await invited(f, admin)
    pending = await f.teams.invitations.get(SIREN, invitation_id)
    assert pending is not None
    assert pending.status == InvitationStatus.PENDING_CODE
    allowance = pending.code_allowance(NOW, f.teams.settings.invitation_policy)
    assert allowance is not None
    assert (allowance.checks_left, allowance.resends_left) == (5, 3)
    assert f.sms.sent[-1][0] == "+33612345678"  # the admin's mobile, not the invitee's
    code = sms_code(f)

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(Problem) as refused:
        await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, wrong)
    assert problem_code(refused) == (400, "code-invalid")
    assert "4 more tries" in refused.value.detail

    sent = await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, code)
    assert sent.status == InvitationStatus.SENT
    assert sent.code is None
    (mail,) = f.written.mails
    assert mail.to == "paul.martin@example.fr"
    match = re.search(r"http://portal\.test/invitation#token=(\S+)", mail.text)
    assert match, mail.text
    assert any(isinstance(e, InvitationSent) for e in f.written.events)

    f.accounts.add("paul", "paul.martin@example.fr")
    paul = caller("paul", "PAUL.MARTIN@example.fr")
    _, member = await invitations.accept_invitation(f.teams, paul, match.group(1))
    assert member.rights == (Right.VIEW_FINANCIAL_DOCUMENTS,)
    assert any(isinstance(e, MemberJoined) for e in f.written.events)
    with pytest.raises(Problem) as used:
        await invitations.accept_invitation(f.teams, paul, match.group(1))
    assert problem_code(used) == (400, "invitation-link-invalid")
    assert [m.account_id for m in (await f.teams.companies.get(SIREN)).members] == ["acme", "paul"]  # type: ignore[union-attr]


async def test_someone_else_cannot_accept_an_invitation_for_another_email() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    invitation_id = await invited(f, admin)
    await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, sms_code(f))
    token = re.search(r"#token=(\S+)", f.written.mails[-1].text).group(1)  # type: ignore[union-attr]
    with pytest.raises(Problem) as refused:
        await invitations.accept_invitation(f.teams, caller("eve", "eve@example.fr"), token)
    assert problem_code(refused) == (403, "invitation-for-another-email")


async def test_code_checks_are_bounded_and_the_code_expires() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    invitation_id = await invited(f, admin)
    wrong = "000000" if sms_code(f) != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(Problem) as wrong_code:
            await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, wrong)
        assert problem_code(wrong_code) == (400, "code-invalid")
    with pytest.raises(Problem) as locked:
        await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, sms_code(f))
    assert problem_code(locked) == (429, "code-locked")

    await invitations.resend_code(f.teams, admin, SIREN, invitation_id)
    f.clock.advance(minutes=11)
    with pytest.raises(Problem) as expired:
        await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, sms_code(f))
    assert problem_code(expired) == (410, "code-expired")


async def test_a_failed_sms_answers_503_and_leaves_the_invitation_to_a_resend() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    f.sms.failing = True
    with pytest.raises(Problem) as down:
        await invited(f, admin)
    assert problem_code(down) == (503, "sms-not-sent")
    (stored,) = await f.teams.invitations.of_company(SIREN)
    f.sms.failing = False
    resent = await invitations.resend_code(f.teams, admin, SIREN, stored.invitation_id)
    assert resent.code is not None
    assert resent.code.sends == 2


async def test_a_revoked_invitation_cannot_be_confirmed() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    invitation_id = await invited(f, admin)
    revoked = await invitations.revoke_invitation(f.teams, admin, SIREN, invitation_id)
    assert revoked.status == InvitationStatus.REVOKED
    with pytest.raises(Problem) as refused:
        await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, sms_code(f))
    assert problem_code(refused)[0] == 409


async def test_rights_five_and_six_need_a_proof_of_power_and_changes_are_audited() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    invitation_id = await invited(f, admin)
    await invitations.confirm_invitation(f.teams, admin, SIREN, invitation_id, sms_code(f))
    token = re.search(r"#token=(\S+)", f.written.mails[-1].text).group(1)  # type: ignore[union-attr]
    await invitations.accept_invitation(f.teams, caller("paul", "paul.martin@example.fr"), token)

    with pytest.raises(Problem) as refused:
        await members.change_rights(f.teams, admin, SIREN, "paul", [Right.CHANGE_BANK_DETAILS], None)
    assert problem_code(refused) == (422, "proof-of-power-required")

    proof = ProofInput(ProofKind.POWER_OF_ATTORNEY, "PV-2026-11", date(2026, 11, 20))
    changed = await members.change_rights(f.teams, admin, SIREN, "paul", [Right.CHANGE_BANK_DETAILS], proof)
    assert changed.rights == (Right.CHANGE_BANK_DETAILS,)
    assert changed.proof_of_power is not None
    assert changed.proof_of_power.recorded_by == "acme"
    trail = await companies.audit_trail(f.teams, admin, SIREN, 10)
    assert trail[0].action == "member_rights_changed"
    assert trail[0].target == "paul"
    assert trail[0].after["rights"] == [str(Right.CHANGE_BANK_DETAILS)]

    removed = await members.remove_member(f.teams, admin, SIREN, "paul")
    assert removed.rights == ()


async def test_a_space_answers_as_absent_to_whoever_is_not_its_active_member() -> None:
    f = fake_teams(NOW)
    await open_space(f)
    with pytest.raises(Problem) as hidden:
        await companies.company_of_member(f.teams, caller("stranger", "s@example.fr"), SIREN)
    assert problem_code(hidden) == (404, "company-not-found")


async def test_the_last_admin_cannot_be_dismissed() -> None:
    f = fake_teams(NOW)
    admin = await open_space(f)
    with pytest.raises(Problem) as refused:
        await members.dismiss_admin(f.teams, admin, SIREN, "acme")
    assert problem_code(refused)[0] == 409
