"""A recovery case and its phases, as a state machine (DOMAIN.md, recovery [001]).

    filed -> assigned (the least-loaded competent office)
    assigned -> accepted | assigned (refused: the next competent office) | returned (no office left)
    accepted -> amicable (plain letter and email sent)
    amicable -> simplified (no payment 15 days after the plain letter: registered letter and email)
    simplified -> debtor_accepted (the debtor accepts within one month; the commissaire then records
                  the agreement) | injunction_available (the debtor refuses, or one month passes
                  without an answer, which counts as refusal)
    any open phase -> settled (paid in full) | closed (agreement recorded, or withdrawn by the creditor)

Each transition is a pure function: it takes the case and the command's facts and returns the new
case with the domain events it produced (`Decision`), or raises a `CaseError` naming the refusal.
The case keeps its whole timeline (who, what, when) and the instant its current phase's deadline
passes (`due_at`, UTC), so that a sweeper can claim the cases that are due.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from recovery.domain import deadlines
from recovery.domain import events as ev
from recovery.domain.claims import Claim
from recovery.domain.documents import MAX_PROOF_BYTES, MAX_PROOFS, DocumentRef
from recovery.domain.fees import FeeSchedule
from recovery.domain.jurisdiction import Office, court_of_appeal
from recovery.domain.text import has_control_characters


class Phase(StrEnum):
    FILED = "filed"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    AMICABLE = "amicable"
    SIMPLIFIED = "simplified"
    DEBTOR_ACCEPTED = "debtor_accepted"
    INJUNCTION_AVAILABLE = "injunction_available"
    RETURNED = "returned"  # no competent office left: back to the creditor with the reason
    SETTLED = "settled"
    CLOSED = "closed"


FINAL = frozenset({Phase.RETURNED, Phase.SETTLED, Phase.CLOSED})
OPEN = frozenset(Phase) - FINAL
# Phases in which an office has accepted the case: its commissaire acts on it.
WITH_OFFICE = frozenset(
    {Phase.ACCEPTED, Phase.AMICABLE, Phase.SIMPLIFIED, Phase.DEBTOR_ACCEPTED, Phase.INJUNCTION_AVAILABLE}
)

# Every phase change the machine allows; anything else is an IllegalTransition.
ALLOWED: dict[Phase, frozenset[Phase]] = {
    Phase.FILED: frozenset({Phase.ASSIGNED, Phase.RETURNED}),
    Phase.ASSIGNED: frozenset({Phase.ASSIGNED, Phase.ACCEPTED, Phase.RETURNED}),
    Phase.ACCEPTED: frozenset({Phase.AMICABLE}),
    Phase.AMICABLE: frozenset({Phase.SIMPLIFIED}),
    Phase.SIMPLIFIED: frozenset({Phase.DEBTOR_ACCEPTED, Phase.INJUNCTION_AVAILABLE}),
    Phase.DEBTOR_ACCEPTED: frozenset(),
    Phase.INJUNCTION_AVAILABLE: frozenset(),
    Phase.RETURNED: frozenset(),
    Phase.SETTLED: frozenset(),
    Phase.CLOSED: frozenset(),
}
for _phase in OPEN:  # a payment settles, a withdrawal closes, at any open phase
    ALLOWED[_phase] = ALLOWED[_phase] | {Phase.SETTLED, Phase.CLOSED}


class CaseError(Exception):
    """A command the case refuses; `code` names the rule."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class IllegalTransition(CaseError):
    def __init__(self, command: str, phase: Phase) -> None:
        super().__init__("illegal-transition", f"cannot {command} a case in phase {phase}")
        self.phase = phase


class NotYourCase(CaseError):
    def __init__(self, detail: str) -> None:
        super().__init__("not-your-case", detail)


class InvalidCommand(CaseError):
    pass


class MandateRequired(CaseError):
    """Filing needs a signed SEPA mandate (the fees are collected under it, CPCE L125-1)."""

    def __init__(self, where: str) -> None:
        super().__init__(
            "mandate-required",
            f"filing a case needs a signed SEPA direct-debit mandate to collect its fees: sign one at {where}",
        )
        self.where = where


class MissingRight(CaseError):
    """Acting for a company needs the company's right to submit requests (right 3)."""

    def __init__(self, company_id: str, right: str) -> None:
        super().__init__(
            "missing-right",
            f"you need the right '{right}' for company {company_id} to file for it: ask the company's admin",
        )
        self.company_id = company_id


class LinkInvalid(CaseError):
    """A debtor-space link that is unknown, expired, already used, or whose procedure ended."""

    def __init__(self) -> None:
        super().__init__("link-invalid", "this link is unknown, expired or already used")


class NotDue(CaseError):
    def __init__(self, phase: Phase) -> None:
        super().__init__("not-due", f"the deadline of phase {phase} has not passed")


@dataclass(frozen=True)
class ProcedurePolicy:
    amicable_days: int = 15  # the product's rule: no payment 15 days after the plain letter
    answer_months: int = 1  # R125-2: one month from the registered letter to accept or refuse
    office_answer_days: int = 8  # our rule: an office that does not answer in time is taken as refusing
    proof_max_bytes: int = MAX_PROOF_BYTES  # each proof document
    proof_max_count: int = MAX_PROOFS
    fees: FeeSchedule = field(default_factory=FeeSchedule)  # what each billable step costs the creditor (fees.py)
    saga_grace_days: int = 14  # the saga: a rejected payment unregularised this long opens a case (ADR 0022)


class ActorKind(StrEnum):
    CREDITOR = "creditor"
    COMMISSAIRE = "commissaire"
    DEBTOR = "debtor"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str  # the account id, the office id, the case id for the debtor, "recovery" for the system


SYSTEM = Actor(ActorKind.SYSTEM, "recovery")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: Actor
    action: str
    detail: str = ""


@dataclass(frozen=True)
class Creditor:
    account_id: str
    company_id: str | None = None  # the company the member files for (right 3), if any
    trader: bool = False


@dataclass(frozen=True)
class OfficeRefusal:
    office_id: str
    reason: str
    at: datetime


class LetterKind(StrEnum):
    PLAIN = "plain"
    REGISTERED = "registered"


@dataclass(frozen=True)
class Letter:
    letter_id: str
    kind: LetterKind
    sent_at: datetime
    document_id: str = ""  # the generated PDF, stored immutable
    tracking_id: str | None = None  # a registered letter's, from the postal receipt


@dataclass(frozen=True)
class GeneratedDocument:
    """A document recovery generated for the case (a letter, the injunction request)."""

    document_id: str
    kind: str  # amicable_letter | registered_letter | injunction_request (ports.DocumentKind)
    sha256: str
    at: datetime
    letter_id: str = ""


class Answer(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"


@dataclass(frozen=True)
class DebtorAnswer:
    answer: Answer
    at: datetime
    recorded_by: ActorKind
    proposed_amount_cents: int | None = None
    proposed_terms: str = ""


@dataclass(frozen=True)
class Payment:
    reference: str
    amount_cents: int
    at: datetime


@dataclass(frozen=True)
class Agreement:
    amount_cents: int
    payment_terms: str
    title_number: str  # the enforceable title the commissaire issued
    title_date: date
    at: datetime


@dataclass(frozen=True)
class Case:
    case_id: str
    creditor: Creditor
    claim: Claim
    filed_at: datetime
    documents: tuple[DocumentRef, ...] = ()  # the creditor's proofs, stored immutable
    phase: Phase = Phase.FILED
    version: int = 0  # bumped by every change: the store saves only over the version it loaded
    office_id: str | None = None
    refusals: tuple[OfficeRefusal, ...] = ()
    letters: tuple[Letter, ...] = ()
    payments: tuple[Payment, ...] = ()
    answer: DebtorAnswer | None = None
    agreement: Agreement | None = None
    outcome: str = ""  # why a final phase was reached
    due_at: datetime | None = None  # when the current phase's deadline passes (UTC), if it has one
    timeline: tuple[TimelineEntry, ...] = ()
    generated: tuple[GeneratedDocument, ...] = ()  # letters and the injunction request, in order

    def generated_of(self, kind: str) -> GeneratedDocument | None:
        return next((d for d in reversed(self.generated) if d.kind == kind), None)

    @property
    def department(self) -> str:
        return self.claim.debtor.address.department

    @property
    def court_of_appeal(self) -> str:
        return court_of_appeal(self.department)

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)

    @property
    def balance_cents(self) -> int:
        return max(self.claim.total_cents - self.paid_cents, 0)

    @property
    def refused_by(self) -> tuple[str, ...]:
        return tuple(r.office_id for r in self.refusals)

    def letter(self, kind: LetterKind) -> Letter | None:
        return next((letter for letter in reversed(self.letters) if letter.kind is kind), None)

    def is_due(self, now: datetime) -> bool:
        return self.due_at is not None and now >= self.due_at


class Decision(NamedTuple):
    case: Case
    events: list[ev.DomainEvent]


# --- helpers -----------------------------------------------------------------


def _require(case: Case, command: str, *phases: Phase) -> None:
    if case.phase not in phases:
        raise IllegalTransition(command, case.phase)


def _require_office(case: Case, office_id: str) -> None:
    if case.office_id != office_id:
        raise NotYourCase(f"case {case.case_id} is not assigned to office {office_id}")


def _log(case: Case, at: datetime, actor: Actor, action: str, detail: str = "", **changes: object) -> Case:
    entry = TimelineEntry(at=at, actor=actor, action=action, detail=detail)
    return replace(case, version=case.version + 1, timeline=(*case.timeline, entry), **changes)  # type: ignore[arg-type]


def _phase_change(before: Case, after: Case, at: datetime, reason: str) -> list[ev.DomainEvent]:
    if after.phase not in ALLOWED[before.phase]:
        raise IllegalTransition(f"move to {after.phase}", before.phase)
    if after.phase is before.phase:
        return []
    return [
        ev.CasePhaseChanged(
            case_id=after.case_id,
            at=at,
            creditor_id=after.creditor.account_id,
            office_id=after.office_id,
            from_phase=before.phase.value,
            to_phase=after.phase.value,
            reason=reason,
            due_at=after.due_at,
        )
    ]


@dataclass(frozen=True)
class _Sent:
    """A letter that went to the debtor (by post and email) at `sent_at`, recorded at `at`."""

    kind: LetterKind
    letter_id: str
    sent_at: datetime
    at: datetime
    document: GeneratedDocument | None = None
    tracking_id: str | None = None


def _send_letter(
    case: Case, sent: _Sent, actor: Actor, action: str, detail: str, phase: Phase, due: datetime
) -> tuple[Case, ev.LetterIssued]:
    """The case once a letter went: in `phase` until `due`, the letter (and its PDF) kept."""
    document = sent.document
    document_id, sha256 = (document.document_id, document.sha256) if document else ("", "")
    letter = Letter(sent.letter_id, sent.kind, sent.sent_at, document_id, sent.tracking_id)
    after = _log(
        case,
        sent.at,
        actor,
        action,
        detail,
        phase=phase,
        letters=(*case.letters, letter),
        due_at=due,
        generated=(*case.generated, document) if document else case.generated,
    )
    issued = ev.LetterIssued(
        case.case_id,
        sent.at,
        case.creditor.account_id,
        case.office_id,
        sent.letter_id,
        sent.kind.value,
        ("post", "email"),
        document_id,
        sha256,
        sent.tracking_id,
    )
    return after, issued


def _deadline(act: datetime, department: str, *, days: int = 0, months: int = 0) -> datetime:
    """When a deadline counted from an act at `act` has passed (CPC 641, 642)."""
    act_day = deadlines.local_day(act, department)
    last_day = (
        deadlines.months_after(act_day, months, department)
        if months
        else deadlines.days_after(act_day, days, department)
    )
    return deadlines.passed_at(last_day, department)


def _text(name: str, value: str, *, required: bool, max_length: int = 500) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidCommand(f"{name}-required", f"{name.replace('-', ' ')} is required")
    if has_control_characters(value, multiline=True):
        raise InvalidCommand("control-characters", f"{name.replace('-', ' ')} holds control characters")
    if len(value) > max_length:
        raise InvalidCommand("too-long", f"{name.replace('-', ' ')} has more than {max_length} characters")
    return value


def _amount(case: Case, amount_cents: int, what: str) -> None:
    if amount_cents <= 0:
        raise InvalidCommand("amount-not-positive", f"the {what} is positive")
    if amount_cents > case.balance_cents:
        raise InvalidCommand(
            "amount-above-balance",
            f"the {what} ({amount_cents} cents) exceeds the balance ({case.balance_cents} cents)",
        )


# --- the transitions ---------------------------------------------------------


def file_case(
    case_id: str, creditor: Creditor, claim: Claim, at: datetime, documents: tuple[DocumentRef, ...] = ()
) -> Decision:
    """A creditor files a checked claim (see `claims.accept_claim`) with its stored proofs."""
    case = Case(case_id=case_id, creditor=creditor, claim=claim, filed_at=at, documents=documents)
    case = _log(case, at, Actor(ActorKind.CREDITOR, creditor.account_id), "filed")
    debtor = claim.debtor
    return Decision(
        case,
        [
            ev.CaseFiled(
                case_id=case_id,
                at=at,
                creditor_id=creditor.account_id,
                company_id=creditor.company_id,
                debtor_kind=debtor.kind.value,
                debtor_name=debtor.display_name,
                debtor_department=debtor.address.department,
                cause=claim.cause.value,
                principal_cents=claim.principal_cents,
                interest_cents=claim.interest_cents,
                invoices=len(claim.invoices),
                documents=len(documents),
            )
        ],
    )


def _assign_or_return(
    case: Case, office: Office | None, at: datetime, policy: ProcedurePolicy, events: list[ev.DomainEvent]
) -> Decision:
    before = case
    if office is None:
        reason = (
            f"no competent commissaire de justice left in the district of the court of appeal of {case.court_of_appeal}"
        )
        after = _log(
            case, at, SYSTEM, "returned", reason, phase=Phase.RETURNED, office_id=None, due_at=None, outcome=reason
        )
        events.append(ev.CaseReturned(case.case_id, at, case.creditor.account_id, reason))
        return Decision(after, events + _phase_change(before, after, at, "no-competent-office"))
    if office.court_of_appeal != case.court_of_appeal or office.office_id in case.refused_by:
        raise InvalidCommand("office-not-competent", f"office {office.office_id} is not competent for this case")
    due = _deadline(at, case.department, days=policy.office_answer_days)
    after = _log(
        case, at, SYSTEM, "assigned", office.office_id, phase=Phase.ASSIGNED, office_id=office.office_id, due_at=due
    )
    events.append(ev.CaseAssigned(case.case_id, at, office.office_id, case.court_of_appeal, len(case.refusals) + 1))
    return Decision(after, events + _phase_change(before, after, at, "assigned"))


def assign(case: Case, office: Office | None, at: datetime, policy: ProcedurePolicy = ProcedurePolicy()) -> Decision:
    """A filed case goes to `office` (the least-loaded competent one), or back to the creditor when None."""
    _require(case, "assign", Phase.FILED)
    return _assign_or_return(case, office, at, policy, [])


def accept(case: Case, office_id: str, at: datetime) -> Decision:
    """The office the case is assigned to accepts it. Its plain letter is due at once (`due_at` is
    now): the acceptance's handler sends it, or, should that fail, the next deadline sweep."""
    _require(case, "accept", Phase.ASSIGNED)
    _require_office(case, office_id)
    after = _log(case, at, Actor(ActorKind.COMMISSAIRE, office_id), "accepted", phase=Phase.ACCEPTED, due_at=at)
    return Decision(after, [ev.CaseAccepted(case.case_id, at, office_id), *_phase_change(case, after, at, "accepted")])


def refuse(
    case: Case,
    office_id: str,
    reason: str,
    next_office: Office | None,
    at: datetime,
    policy: ProcedurePolicy = ProcedurePolicy(),
    *,
    by_deadline: bool = False,
) -> Decision:
    """The assigned office refuses (with a reason), or let its answer deadline pass (`by_deadline`):
    the case goes to `next_office`, or back to the creditor when none is left."""
    _require(case, "refuse", Phase.ASSIGNED)
    _require_office(case, office_id)
    reason = _text("reason", reason, required=True)
    actor = SYSTEM if by_deadline else Actor(ActorKind.COMMISSAIRE, office_id)
    refused = _log(
        case,
        at,
        actor,
        "refused",
        reason,
        refusals=(*case.refusals, OfficeRefusal(office_id, reason, at)),
    )
    events: list[ev.DomainEvent] = [ev.CaseRefused(case.case_id, at, office_id, reason, by_deadline)]
    return _assign_or_return(refused, next_office, at, policy, events)


def start_amicable(
    case: Case,
    letter_id: str,
    sent_at: datetime,
    at: datetime,
    policy: ProcedurePolicy = ProcedurePolicy(),
    *,
    document: GeneratedDocument | None = None,
) -> Decision:
    """The plain letter (and its email) went to the debtor at `sent_at`: the amicable phase runs
    until the end of the 15-day deadline counted from that day."""
    _require(case, "start the amicable phase of", Phase.ACCEPTED)
    if sent_at > at:
        raise InvalidCommand("sent-in-future", "a letter cannot be sent after now")
    sent = _Sent(LetterKind.PLAIN, letter_id, sent_at, at, document)
    actor = Actor(ActorKind.COMMISSAIRE, case.office_id or "")
    due = _deadline(sent_at, case.department, days=policy.amicable_days)
    after, issued = _send_letter(case, sent, actor, "plain letter sent", letter_id, Phase.AMICABLE, due)
    return Decision(after, [issued, *_phase_change(case, after, at, "plain-letter-sent")])


def advance(
    case: Case,
    now: datetime,
    *,
    letter_id: str = "",
    next_office: Office | None = None,
    policy: ProcedurePolicy = ProcedurePolicy(),
    document: GeneratedDocument | None = None,
    tracking_id: str | None = None,
) -> Decision:
    """Apply the transition of a phase whose deadline has passed:
    - assigned: the office did not answer in time, which counts as a refusal (`next_office` takes it);
    - amicable: no payment 15 days after the plain letter: the registered letter `letter_id` and an
      email go to the debtor; the debtor has one month from its sending;
    - simplified: no answer one month after the registered letter counts as refusal: the creditor
      may ask for an injunction to pay."""
    if not case.is_due(now):
        raise NotDue(case.phase)
    if case.phase is Phase.ASSIGNED:
        days = policy.office_answer_days
        return refuse(
            case,
            case.office_id or "",
            f"no answer from the office within {days} days",
            next_office,
            now,
            policy,
            by_deadline=True,
        )
    if case.phase is Phase.AMICABLE:
        if not letter_id:
            raise InvalidCommand("letter-id-required", "the registered letter needs an id")
        sent = _Sent(LetterKind.REGISTERED, letter_id, now, now, document, tracking_id)
        detail = f"{letter_id}: no payment {policy.amicable_days} days after the plain letter"
        due = _deadline(now, case.department, months=policy.answer_months)
        after, issued = _send_letter(case, sent, SYSTEM, "registered letter sent", detail, Phase.SIMPLIFIED, due)
        return Decision(after, [issued, *_phase_change(case, after, now, "no-payment-after-plain-letter")])
    if case.phase is Phase.SIMPLIFIED:
        detail = "no answer within one month of the registered letter counts as refusal"
        after = _log(case, now, SYSTEM, "injunction available", detail, phase=Phase.INJUNCTION_AVAILABLE, due_at=None)
        return Decision(after, _phase_change(case, after, now, "no-answer-counts-as-refusal"))
    raise IllegalTransition("advance the deadline of", case.phase)  # pragma: no cover (no other phase has one)


def record_answer(
    case: Case,
    answer: Answer,
    actor: Actor,
    at: datetime,
    *,
    proposed_amount_cents: int | None = None,
    proposed_terms: str = "",
) -> Decision:
    """The debtor accepts or refuses the simplified procedure within the month (through the debtor
    space, or on paper recorded by the commissaire). Acceptance waits for the commissaire to record
    the agreement; refusal makes the injunction available."""
    _require(case, "record an answer on", Phase.SIMPLIFIED)
    if actor.kind not in {ActorKind.DEBTOR, ActorKind.COMMISSAIRE}:
        raise InvalidCommand("answer-by-debtor-only", "only the debtor answers (or the commissaire on their behalf)")
    if actor.kind is ActorKind.COMMISSAIRE:
        _require_office(case, actor.id)
    if case.is_due(at):
        raise CaseError("answer-too-late", "the month to answer has passed: no answer counts as refusal")
    terms = _text("proposed-terms", proposed_terms, required=False, max_length=2000)
    if answer is Answer.ACCEPTED and proposed_amount_cents is not None:
        _amount(case, proposed_amount_cents, "proposed amount")
    if answer is Answer.REFUSED:
        proposed_amount_cents, terms = None, ""
    recorded = DebtorAnswer(answer, at, actor.kind, proposed_amount_cents, terms)
    to = Phase.DEBTOR_ACCEPTED if answer is Answer.ACCEPTED else Phase.INJUNCTION_AVAILABLE
    after = _log(case, at, actor, f"debtor {answer.value}", terms, phase=to, answer=recorded, due_at=None)
    answered = ev.DebtorAnswered(case.case_id, at, answer.value, actor.kind.value, proposed_amount_cents, terms)
    return Decision(after, [answered, *_phase_change(case, after, at, f"debtor-{answer.value}")])


def record_payment(case: Case, reference: str, amount_cents: int, actor: Actor, at: datetime) -> Decision:
    """A payment from the debtor, at any open phase; paid in full, the case is settled. A reference
    already recorded changes nothing (the same payment reported twice)."""
    reference = _text("reference", reference, required=True, max_length=100)
    if any(p.reference == reference for p in case.payments):
        return Decision(case, [])  # even once settled: a payment reported again is no new payment
    _require(case, "record a payment on", *OPEN)
    _amount(case, amount_cents, "payment")
    payments = (*case.payments, Payment(reference, amount_cents, at))
    paid = sum(p.amount_cents for p in payments)
    balance = case.claim.total_cents - paid
    after = _log(case, at, actor, "payment", f"{reference}: {amount_cents} cents", payments=payments)
    events: list[ev.DomainEvent] = [ev.PaymentRecorded(case.case_id, at, reference, amount_cents, paid, balance)]
    if balance == 0:
        settled = _log(after, at, actor, "settled", phase=Phase.SETTLED, due_at=None, outcome="paid in full")
        events.append(ev.CaseSettled(case.case_id, at, case.creditor.account_id, paid))
        return Decision(settled, events + _phase_change(case, settled, at, "paid-in-full"))
    return Decision(after, events)


def record_agreement(
    case: Case,
    office_id: str,
    amount_cents: int,
    payment_terms: str,
    title_number: str,
    title_date: date,
    at: datetime,
) -> Decision:
    """The debtor and the creditor agreed on an amount and payment terms; the commissaire records the
    enforceable title (its number and date) and the case closes."""
    _require(case, "record an agreement on", *WITH_OFFICE)
    _require_office(case, office_id)
    _amount(case, amount_cents, "agreed amount")
    terms = _text("payment-terms", payment_terms, required=True, max_length=2000)
    number = _text("title-number", title_number, required=True, max_length=100)
    if title_date > deadlines.local_day(at, case.department):
        raise InvalidCommand("title-date-in-future", "the enforceable title cannot be dated after today")
    agreement = Agreement(amount_cents, terms, number, title_date, at)
    after = _log(
        case,
        at,
        Actor(ActorKind.COMMISSAIRE, office_id),
        "agreement recorded",
        f"title {number} of {title_date.isoformat()}",
        phase=Phase.CLOSED,
        agreement=agreement,
        due_at=None,
        outcome="agreement",
    )
    closed = ev.CaseClosed(
        case.case_id, at, case.creditor.account_id, "agreement", amount_cents, terms, number, title_date
    )
    return Decision(after, [closed, *_phase_change(case, after, at, "agreement")])


def withdraw(case: Case, actor: Actor, at: datetime, reason: str = "") -> Decision:
    """The creditor withdraws the case, at any open phase."""
    _require(case, "withdraw", *OPEN)
    if actor.kind is not ActorKind.CREDITOR:
        raise InvalidCommand("withdraw-by-creditor-only", "only the creditor withdraws a case")
    reason = _text("reason", reason, required=False)
    after = _log(case, at, actor, "withdrawn", reason, phase=Phase.CLOSED, due_at=None, outcome="withdrawn")
    closed = ev.CaseClosed(case.case_id, at, case.creditor.account_id, "withdrawn")
    return Decision(after, [closed, *_phase_change(case, after, at, "withdrawn")])


def record_injunction_request(case: Case, document: GeneratedDocument, actor: Actor, at: datetime) -> Decision:
    """The creditor generated the injunction-to-pay request (CPC 1405 ff.), once the injunction is
    available; it is recorded on the case. Generated once: asked again, the case is unchanged."""
    _require(case, "generate the injunction request of", Phase.INJUNCTION_AVAILABLE)
    if actor.kind is not ActorKind.CREDITOR or actor.id != case.creditor.account_id:
        raise NotYourCase("only the case's creditor asks for the injunction to pay")
    if case.generated_of(document.kind) is not None:
        return Decision(case, [])
    after = _log(
        case, at, actor, "injunction request generated", document.document_id, generated=(*case.generated, document)
    )
    issued = ev.LetterIssued(
        case.case_id,
        at,
        case.creditor.account_id,
        case.office_id,
        document.letter_id or document.document_id,
        "injunction_request",
        ("download",),
        document.document_id,
        document.sha256,
    )
    return Decision(after, [issued])
