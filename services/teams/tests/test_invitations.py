"""Invitation states and the SMS code's rules: expiry, checks, resends."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teams.domain import invitations as rules
from teams.domain import secrets
from teams.domain.invitations import CodeState, InvitationPolicy, InvitationRefused, InvitationStatus

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
POLICY = InvitationPolicy()
KEY = b"test-key"


def refusal(action: object) -> str:
    assert callable(action)
    with pytest.raises(InvitationRefused) as caught:
        action()
    return caught.value.code


def code(**changes: object) -> CodeState:
    state = rules.first_code("digest", NOW, POLICY)
    return CodeState(**{**state.__dict__, **changes})


def test_a_new_code_has_six_digits() -> None:
    for _ in range(200):
        value = secrets.new_code()
        assert len(value) == 6
        assert value.isdigit()


@given(st.text(alphabet=string.digits, min_size=6, max_size=6), st.text(alphabet=string.digits, min_size=6, max_size=6))
def test_only_the_right_code_matches_its_digest(right: str, guess: str) -> None:
    digest = secrets.code_digest(KEY, "inv-1", right)
    assert digest != right
    assert len(digest) == 64
    assert secrets.code_matches(KEY, "inv-1", guess, digest) == (guess == right)


def test_a_digest_is_bound_to_its_key_and_invitation() -> None:
    digest = secrets.code_digest(KEY, "inv-1", "123456")
    assert not secrets.code_matches(KEY, "inv-2", "123456", digest)
    assert not secrets.code_matches(b"other", "inv-1", "123456", digest)


def test_a_fresh_code_may_be_checked() -> None:
    state = rules.first_code("d", NOW, POLICY)
    assert state.sends == 1
    assert state.checks == 0
    assert state.expires_at == NOW + POLICY.code_ttl
    assert rules.check_code_refusal(InvitationStatus.PENDING_CODE, state, NOW, POLICY) == state


def test_an_expired_code_is_refused() -> None:
    at_expiry = NOW + POLICY.code_ttl
    assert refusal(lambda: rules.check_code_refusal(InvitationStatus.PENDING_CODE, code(), at_expiry, POLICY)) == (
        "code-expired"
    )


def test_a_code_is_locked_after_its_checks() -> None:
    spent = code(checks=POLICY.max_code_checks)
    assert refusal(lambda: rules.check_code_refusal(InvitationStatus.PENDING_CODE, spent, NOW, POLICY)) == "code-locked"
    assert rules.check_code_refusal(InvitationStatus.PENDING_CODE, code(checks=POLICY.max_code_checks - 1), NOW, POLICY)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (InvitationStatus.SENT, "invitation-not-awaiting-code"),
        (InvitationStatus.ACCEPTED, "invitation-not-awaiting-code"),
        (InvitationStatus.REVOKED, "invitation-not-awaiting-code"),
        (InvitationStatus.EXPIRED, "invitation-expired"),
    ],
)
def test_only_a_pending_invitation_takes_a_code(status: InvitationStatus, reason: str) -> None:
    assert refusal(lambda: rules.check_code_refusal(status, code(), NOW, POLICY)) == reason
    assert refusal(lambda: rules.resend_code(status, code(), "new", NOW, POLICY)) == reason


def test_a_resend_replaces_the_code_and_resets_its_checks() -> None:
    later = NOW + timedelta(minutes=3)
    state = rules.resend_code(InvitationStatus.PENDING_CODE, code(checks=5), "new", later, POLICY)
    assert state == CodeState(digest="new", expires_at=later + POLICY.code_ttl, checks=0, sends=2)


def test_resends_are_bounded() -> None:
    state = code()
    for _ in range(POLICY.max_code_sends - 1):
        state = rules.resend_code(InvitationStatus.PENDING_CODE, state, "d", NOW, POLICY)
    assert state.sends == POLICY.max_code_sends
    assert refusal(lambda: rules.resend_code(InvitationStatus.PENDING_CODE, state, "d", NOW, POLICY)) == (
        "code-resends-exhausted"
    )


@given(st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=10))
def test_guesses_per_invitation_are_bounded_by_checks_times_sends(checks: int, resends: int) -> None:
    """However a client plays it, it compares at most checks x sends codes per invitation."""
    policy = InvitationPolicy(max_code_checks=checks, max_code_sends=1 + resends)
    state: CodeState | None = rules.first_code("d", NOW, policy)
    guesses = 0
    while state is not None:
        try:
            rules.check_code_refusal(InvitationStatus.PENDING_CODE, state, NOW, policy)
            guesses += 1
            state = CodeState(state.digest, state.expires_at, state.checks + 1, state.sends)
        except InvitationRefused:
            try:
                state = rules.resend_code(InvitationStatus.PENDING_CODE, state, "d", NOW, policy)
            except InvitationRefused:
                state = None
    assert guesses == checks * (1 + resends)


def test_the_default_limits_make_guessing_hopeless() -> None:
    assert POLICY.max_code_checks * POLICY.max_code_sends / 10**6 <= 0.00002


def test_open_invitations_expire() -> None:
    expiry = NOW + timedelta(hours=1)
    for status in (InvitationStatus.PENDING_CODE, InvitationStatus.SENT):
        assert rules.effective_status(status, expiry, NOW) == status
        assert rules.effective_status(status, expiry, expiry) == InvitationStatus.EXPIRED
    for status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        assert rules.effective_status(status, expiry, expiry + timedelta(days=9)) == status


def test_acceptance_needs_a_sent_invitation_and_the_invited_email() -> None:
    rules.acceptance_refusal(InvitationStatus.SENT, "paul@example.fr", "Paul@Example.fr")
    for status, reason in [
        (InvitationStatus.PENDING_CODE, "invitation-link-invalid"),
        (InvitationStatus.ACCEPTED, "invitation-link-invalid"),
        (InvitationStatus.REVOKED, "invitation-link-invalid"),
        (InvitationStatus.EXPIRED, "invitation-expired"),
    ]:
        assert refusal(lambda s=status: rules.acceptance_refusal(s, "paul@example.fr", "paul@example.fr")) == reason
    assert refusal(lambda: rules.acceptance_refusal(InvitationStatus.SENT, "paul@example.fr", "eve@example.fr")) == (
        "invitation-for-another-email"
    )
    assert refusal(lambda: rules.acceptance_refusal(InvitationStatus.SENT, "paul@example.fr", None)) == (
        "invitation-for-another-email"
    )


def test_only_open_invitations_can_be_revoked() -> None:
    rules.revocation_refusal(InvitationStatus.PENDING_CODE)
    rules.revocation_refusal(InvitationStatus.SENT)
    for status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED, InvitationStatus.EXPIRED):
        assert refusal(lambda s=status: rules.revocation_refusal(s)) == "invitation-closed"
