"""The case's phases as a state machine: each transition returns the new case and its events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.domain import cases
from recovery.domain import events as ev
from recovery.domain.cases import (
    ALLOWED,
    FINAL,
    Actor,
    ActorKind,
    Answer,
    Case,
    CaseError,
    Creditor,
    IllegalTransition,
    InvalidCommand,
    LetterKind,
    NotDue,
    NotYourCase,
    Phase,
)
from recovery.domain.claims import accept_claim
from recovery.domain.deadlines import passed_at
from recovery.domain.injunction import injunction_request
from recovery.domain.jurisdiction import CourtKind
from services.recovery.tests.builders import FILED_ON, claim
from services.recovery.tests.conftest import METZ_OFFICES

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREDITOR = Creditor("acc-creditor", trader=True)
CREDITOR_ACTOR = Actor(ActorKind.CREDITOR, "acc-creditor")
DEBTOR = Actor(ActorKind.DEBTOR, "case-1")
METZ_A, METZ_B, THIONVILLE, PARIS = METZ_OFFICES


def filed() -> Case:
    case, events = cases.file_case("case-1", CREDITOR, accept_claim(claim(), FILED_ON), T0)
    assert [type(e) for e in events] == [ev.CaseFiled]
    return case


def accepted() -> Case:
    case = cases.assign(filed(), METZ_A, T0).case
    return cases.accept(case, "metz-a", T0 + timedelta(hours=1)).case


def amicable(sent_at: datetime = T0 + timedelta(hours=2)) -> Case:
    return cases.start_amicable(accepted(), "case-1:plain", sent_at, sent_at).case


def simplified() -> Case:
    case = amicable()
    assert case.due_at is not None
    return cases.advance(case, case.due_at, letter_id="case-1:registered").case


def test_the_procedure_from_filing_to_injunction_with_its_deadlines() -> None:
    case = filed()
    assert (case.phase, case.version, case.due_at) == (Phase.FILED, 1, None)

    case, events = cases.assign(case, METZ_A, T0)
    assert case.phase is Phase.ASSIGNED
    assert case.office_id == "metz-a"
    assert [type(e) for e in events] == [ev.CaseAssigned, ev.CasePhaseChanged]
    assert case.due_at == passed_at(date(2026, 3, 10), "57")  # the office's 8 days to answer

    case, events = cases.accept(case, "metz-a", T0)
    assert (case.phase, case.due_at) == (Phase.ACCEPTED, T0)  # its plain letter is due at once
    assert [type(e) for e in events] == [ev.CaseAccepted, ev.CasePhaseChanged]

    sent = datetime(2026, 3, 19, 10, 0, tzinfo=UTC)  # plain letter on Thursday 19 March 2026
    case, events = cases.start_amicable(case, "case-1:plain", sent, sent)
    assert case.phase is Phase.AMICABLE
    # Moselle: day 15 is Good Friday, then the weekend and Easter Monday: the 15 days end on 7 April.
    assert case.due_at == passed_at(date(2026, 4, 7), "57") == datetime(2026, 4, 7, 22, 0, tzinfo=UTC)
    assert isinstance(events[0], ev.LetterIssued)
    assert events[0].kind == "plain"

    with pytest.raises(NotDue):
        cases.advance(case, case.due_at - timedelta(seconds=1), letter_id="x")
    now = case.due_at
    case, events = cases.advance(case, now, letter_id="case-1:registered")
    assert case.phase is Phase.SIMPLIFIED
    letter = case.letter(LetterKind.REGISTERED)
    assert letter is not None
    assert letter.sent_at == now
    # sent on 8 April (local): one month later is Friday 8 May, a holiday (Victory Day): Monday 11 May.
    assert case.due_at == passed_at(date(2026, 5, 11), "57")
    assert [type(e) for e in events] == [ev.LetterIssued, ev.CasePhaseChanged]

    case, events = cases.advance(case, case.due_at)
    assert (case.phase, case.due_at) == (Phase.INJUNCTION_AVAILABLE, None)
    (changed,) = events
    assert isinstance(changed, ev.CasePhaseChanged)
    assert changed.reason == "no-answer-counts-as-refusal"
    assert [entry.action for entry in case.timeline] == [
        "filed",
        "assigned",
        "accepted",
        "plain letter sent",
        "registered letter sent",
        "injunction available",
    ]
    assert case.version == 6


def test_a_refusal_passes_the_case_to_the_next_office() -> None:
    case = cases.assign(filed(), METZ_A, T0).case
    case, events = cases.refuse(case, "metz-a", "conflict of interest", METZ_B, T0)
    assert (case.phase, case.office_id, case.refused_by) == (Phase.ASSIGNED, "metz-b", ("metz-a",))
    assert [type(e) for e in events] == [ev.CaseRefused, ev.CaseAssigned]
    assigned = events[1]
    assert isinstance(assigned, ev.CaseAssigned)
    assert assigned.attempt == 2
    with pytest.raises(InvalidCommand, match="not competent"):
        cases.refuse(case, "metz-b", "busy", METZ_A, T0)  # an office that refused is not asked again
    with pytest.raises(InvalidCommand, match="not competent"):
        cases.refuse(case, "metz-b", "busy", PARIS, T0)  # nor one outside the district


def test_with_no_office_left_the_case_returns_to_the_creditor_with_the_reason() -> None:
    case = cases.assign(filed(), METZ_A, T0).case
    case, events = cases.refuse(case, "metz-a", "busy", None, T0)
    assert case.phase is Phase.RETURNED
    assert "court of appeal of Metz" in case.outcome
    assert [type(e) for e in events] == [ev.CaseRefused, ev.CaseReturned, ev.CasePhaseChanged]
    no_office, events = cases.assign(filed(), None, T0)
    assert no_office.phase is Phase.RETURNED
    assert isinstance(events[0], ev.CaseReturned)
    assert "Metz" in events[0].reason


def test_a_refusal_needs_a_reason_and_the_right_office() -> None:
    case = cases.assign(filed(), METZ_A, T0).case
    with pytest.raises(InvalidCommand) as missing:
        cases.refuse(case, "metz-a", "  ", METZ_B, T0)
    assert missing.value.code == "reason-required"
    with pytest.raises(NotYourCase):
        cases.accept(case, "metz-b", T0)


def test_an_office_silent_past_its_deadline_counts_as_refusing() -> None:
    case = cases.assign(filed(), METZ_A, T0).case
    assert case.due_at is not None
    case, events = cases.advance(case, case.due_at, next_office=METZ_B)
    assert case.office_id == "metz-b"
    assert case.refusals[0].reason.startswith("no answer")
    refused = events[0]
    assert isinstance(refused, ev.CaseRefused)
    assert refused.by_deadline
    assert case.timeline[-2].actor == cases.SYSTEM


def test_illegal_transitions_raise_a_named_error() -> None:
    case = filed()
    attempts: tuple[Callable[[], object], ...] = (
        lambda: cases.accept(case, "metz-a", T0),
        lambda: cases.start_amicable(case, "l", T0, T0),
        lambda: cases.record_answer(case, Answer.REFUSED, DEBTOR, T0),
        lambda: cases.record_agreement(case, "metz-a", 100, "x", "T-1", date(2026, 3, 2), T0),
        lambda: cases.assign(accepted(), METZ_B, T0),
        lambda: cases.record_answer(amicable(), Answer.ACCEPTED, DEBTOR, T0),
    )
    for attempt in attempts:
        with pytest.raises(IllegalTransition) as refused:
            attempt()
        assert refused.value.code == "illegal-transition"
    with pytest.raises(NotDue) as not_due:
        cases.advance(case, T0 + timedelta(days=365))
    assert not_due.value.code == "not-due"


def test_the_debtor_refuses_within_the_month_then_the_injunction_is_available() -> None:
    case, events = cases.record_answer(simplified(), Answer.REFUSED, DEBTOR, T0 + timedelta(days=20))
    assert (case.phase, case.due_at) == (Phase.INJUNCTION_AVAILABLE, None)
    assert case.answer is not None
    assert case.answer.recorded_by is ActorKind.DEBTOR
    assert [type(e) for e in events] == [ev.DebtorAnswered, ev.CasePhaseChanged]


def test_the_debtor_accepts_and_the_commissaire_records_the_title() -> None:
    case, _ = cases.record_answer(
        simplified(),
        Answer.ACCEPTED,
        DEBTOR,
        T0 + timedelta(days=20),
        proposed_amount_cents=201_234,
        proposed_terms="3 monthly payments",
    )
    assert (case.phase, case.due_at) == (Phase.DEBTOR_ACCEPTED, None)
    when = T0 + timedelta(days=22)
    case, events = cases.record_agreement(case, "metz-a", 201_234, "3 x 670.78 EUR", "TE-2026-0042", when.date(), when)
    assert (case.phase, case.outcome) == (Phase.CLOSED, "agreement")
    assert case.agreement is not None
    assert case.agreement.title_number == "TE-2026-0042"
    closed = events[0]
    assert isinstance(closed, ev.CaseClosed)
    assert closed.title_date == when.date()
    assert closed.agreed_cents == 201_234


def test_an_answer_after_the_month_is_too_late() -> None:
    case = simplified()
    assert case.due_at is not None
    with pytest.raises(CaseError) as late:
        cases.record_answer(case, Answer.ACCEPTED, DEBTOR, case.due_at)
    assert late.value.code == "answer-too-late"
    commissaire_elsewhere = Actor(ActorKind.COMMISSAIRE, "metz-b")
    with pytest.raises(NotYourCase):
        cases.record_answer(case, Answer.REFUSED, commissaire_elsewhere, T0)
    with pytest.raises(InvalidCommand):
        cases.record_answer(case, Answer.REFUSED, CREDITOR_ACTOR, T0)


def test_the_enforceable_title_cannot_be_dated_in_the_future_nor_the_amount_exceed_the_balance() -> None:
    case = amicable()
    with pytest.raises(InvalidCommand) as future:
        cases.record_agreement(case, "metz-a", 1_000, "once", "T-1", date(2026, 3, 3), T0)
    assert future.value.code == "title-date-in-future"
    with pytest.raises(InvalidCommand) as above:
        cases.record_agreement(case, "metz-a", 201_235, "once", "T-1", date(2026, 3, 2), T0)
    assert above.value.code == "amount-above-balance"
    with pytest.raises(NotYourCase):
        cases.record_agreement(case, "metz-b", 1_000, "once", "T-1", date(2026, 3, 2), T0)


@pytest.mark.parametrize("make", [filed, accepted, amicable, simplified])
def test_a_payment_in_full_settles_the_case_at_any_phase(make: object) -> None:
    case = make()  # type: ignore[operator]
    case, events = cases.record_payment(case, "pay-1", 1_234, DEBTOR, T0)
    assert case.phase is not Phase.SETTLED
    assert case.balance_cents == 200_000
    case, events = cases.record_payment(case, "pay-2", 200_000, DEBTOR, T0)
    assert (case.phase, case.due_at, case.paid_cents) == (Phase.SETTLED, None, 201_234)
    assert [type(e) for e in events] == [ev.PaymentRecorded, ev.CaseSettled, ev.CasePhaseChanged]


def test_the_same_payment_twice_is_recorded_once_and_overpayment_is_refused() -> None:
    case = cases.record_payment(amicable(), "pay-1", 1_000, DEBTOR, T0).case
    again, events = cases.record_payment(case, "pay-1", 1_000, DEBTOR, T0)
    assert again == case
    assert events == []
    with pytest.raises(InvalidCommand) as above:
        cases.record_payment(case, "pay-2", 200_235, DEBTOR, T0)
    assert above.value.code == "amount-above-balance"
    with pytest.raises(InvalidCommand):
        cases.record_payment(case, "pay-3", 0, DEBTOR, T0)


@pytest.mark.parametrize("make", [filed, accepted, amicable, simplified])
def test_the_creditor_withdraws_at_any_open_phase(make: object) -> None:
    case = make()  # type: ignore[operator]
    case, _events = cases.withdraw(case, CREDITOR_ACTOR, T0, "paid directly")
    assert (case.phase, case.outcome, case.due_at) == (Phase.CLOSED, "withdrawn", None)
    with pytest.raises(IllegalTransition):
        cases.withdraw(case, CREDITOR_ACTOR, T0)
    with pytest.raises(InvalidCommand):
        cases.withdraw(filed(), DEBTOR, T0)


def test_the_plain_letter_cannot_be_sent_in_the_future() -> None:
    with pytest.raises(InvalidCommand):
        cases.start_amicable(accepted(), "l", T0 + timedelta(days=1), T0)


# --- any sequence of commands keeps the machine's promises ---------------------

COMMANDS = st.sampled_from(
    [
        "assign",
        "assign-none",
        "accept",
        "refuse",
        "amicable",
        "advance",
        "accept-answer",
        "refuse-answer",
        "pay",
        "pay-all",
        "agree",
        "withdraw",
        "wait",
    ]
)


def _apply(case: Case, command: str, now: datetime) -> cases.Decision:
    match command:
        case "assign":
            return cases.assign(case, METZ_A, now)
        case "assign-none":
            return cases.assign(case, None, now)
        case "accept":
            return cases.accept(case, case.office_id or "", now)
        case "refuse":
            return cases.refuse(
                case, case.office_id or "", "busy", METZ_B if "metz-b" not in case.refused_by else None, now
            )
        case "amicable":
            return cases.start_amicable(case, "plain", now, now)
        case "advance":
            return cases.advance(case, now, letter_id="registered", next_office=None)
        case "accept-answer":
            return cases.record_answer(case, Answer.ACCEPTED, DEBTOR, now)
        case "refuse-answer":
            return cases.record_answer(case, Answer.REFUSED, DEBTOR, now)
        case "pay":
            return cases.record_payment(case, f"p{len(case.payments)}", 1_000, DEBTOR, now)
        case "pay-all":
            return cases.record_payment(case, "all", case.balance_cents, DEBTOR, now)
        case "agree":
            return cases.record_agreement(case, case.office_id or "", 1_000, "once", "T-1", now.date(), now)
        case _:
            return cases.withdraw(case, CREDITOR_ACTOR, now)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(COMMANDS, st.integers(min_value=0, max_value=40)), max_size=25))
def test_any_command_sequence_only_takes_allowed_transitions(steps: list[tuple[str, int]]) -> None:
    case, now = filed(), T0
    for command, days in steps:
        now += timedelta(days=days)
        if command == "wait":
            continue
        before = case
        try:
            case, events = _apply(case, command, now)
        except CaseError:
            continue
        assert case.phase is before.phase or case.phase in ALLOWED[before.phase]
        if events:
            assert case.version == before.version + len(case.timeline) - len(before.timeline)
            assert case.timeline[: len(before.timeline)] == before.timeline
            assert all(e.case_id == case.case_id for e in events)
            changes = [e for e in events if isinstance(e, ev.CasePhaseChanged)]
            assert len(changes) == (case.phase is not before.phase)
        if case.phase in FINAL:
            assert case.due_at is None
        assert case.paid_cents <= case.claim.total_cents


def test_free_text_of_commands_refuses_control_characters_but_keeps_line_breaks() -> None:
    case = cases.assign(filed(), METZ_A, T0).case
    with pytest.raises(InvalidCommand) as control:
        cases.refuse(case, "metz-a", "busy\x07", METZ_B, T0)
    assert control.value.code == "control-characters"
    agreed = cases.record_agreement(accepted(), "metz-a", 1_000, "1st: 500\n2nd: 500", "T-1", T0.date(), T0).case
    assert agreed.agreement is not None
    assert agreed.agreement.payment_terms == "1st: 500\n2nd: 500"


def test_the_injunction_request_is_prefilled_once_available() -> None:
    case = simplified()
    with pytest.raises(IllegalTransition):
        injunction_request(case)
    registered = case.letter(LetterKind.REGISTERED)
    assert registered is not None
    case = cases.record_payment(case, "part", 1_234, DEBTOR, T0 + timedelta(days=18)).case
    refused_at = T0 + timedelta(days=20)
    case = cases.record_answer(case, Answer.REFUSED, DEBTOR, refused_at).case
    request = injunction_request(case)
    # a trader creditor against a trader debtor in Moselle: the tribunal judiciaire's commercial chamber
    assert request.court.kind is CourtKind.COMMERCIAL
    assert request.court.department == "57"
    assert (request.principal_cents, request.interest_cents) == (200_000, 1_234)
    assert (request.paid_cents, request.balance_cents) == (1_234, 200_000)
    assert (request.failure, request.failure_at) == ("debtor-refused", refused_at)
    assert request.registered_letter_sent_at == registered.sent_at
    assert request.debtor.name == "Quincaillerie Lorraine SARL"


def test_without_an_answer_the_request_says_the_month_passed() -> None:
    case = simplified()
    month_end = case.due_at
    assert month_end is not None
    request = injunction_request(cases.advance(case, month_end).case)
    assert (request.failure, request.failure_at) == ("no-answer-within-one-month", month_end)
