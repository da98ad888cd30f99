"""The ports of recovery: what its handlers need from the world, as Protocols.

The adapters (`recovery.adapters`) implement them for real (Mongo, the directory file, the postal
folder); `services/recovery/tests/fakes.py` implements them in memory for handler unit tests.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from chassis.clock import Clock
from contracts import Right
from recovery.domain.cases import Case, LetterKind, ProcedurePolicy
from recovery.domain.claims import PostalAddress
from recovery.domain.events import DomainEvent
from recovery.domain.jurisdiction import Office
from recovery.domain.saga import Saga


class CaseNotFound(LookupError):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class CaseExists(Exception):
    """A case with this id is stored already."""


class StaleCase(Exception):
    """The case changed since it was loaded: the save was refused, nothing was written."""


@dataclass(frozen=True)
class Mail:
    """An email the change of a case sends (the chassis' durable courier: written with the case)."""

    to: str
    subject: str
    text: str


class CaseStore(Protocol):
    """Cases and, in the same atomic write, the events their change produced (the outbox) and the
    mail it sends (the courier)."""

    async def get(self, case_id: str) -> Case:
        """The case, or CaseNotFound."""
        ...

    async def add(self, case: Case, events: Sequence[DomainEvent], mails: Sequence[Mail] = ()) -> None:
        """Store a new case with its events; CaseExists when its id is taken."""
        ...

    async def save(
        self, case: Case, events: Sequence[DomainEvent], *, expected_version: int, mails: Sequence[Mail] = ()
    ) -> None:
        """Replace the case stored at `expected_version` by `case`, with its events and mail, in one
        write; StaleCase when the stored version differs (or this instance's claim on it was taken
        over). Releases the case's deadline claim, if any."""
        ...

    async def open_cases_by_office(self, office_ids: Collection[str]) -> Mapping[str, int]:
        """How many open cases each office holds (its load); offices with none may be absent."""
        ...

    async def claim_due(self, now: datetime, case_id: str | None = None) -> Case | None:
        """Claim one case whose deadline has passed (`due_at <= now`) for this instance, or None;
        with `case_id`, that case only (a handler that made it due at once, e.g. an acceptance).
        The claim is a lease: `save` or `release` ends it, and it lapses if the instance dies, so
        another instance takes the case over; two instances never hold the same case."""
        ...

    async def release(self, case_id: str, retry_at: datetime | None = None) -> None:
        """Give a claimed case back without changing it (its transition failed); with `retry_at`,
        no sweep claims it again before then (a failing case does not hold the others up)."""
        ...


class CommissaireDirectory(Protocol):
    """The commissaires de justice's offices."""

    async def offices_in(self, court_of_appeal: str) -> Sequence[Office]:
        """The offices in a court of appeal's district."""
        ...

    async def get(self, office_id: str) -> Office | None: ...


@dataclass(frozen=True)
class StoredDocument:
    document_id: str
    sha256: str
    size: int
    media_type: str
    name: str


class DocumentStore(Protocol):
    """Immutable documents: the creditor's proofs and the generated letters."""

    async def put(self, content: bytes, *, media_type: str, name: str) -> StoredDocument: ...

    async def get(self, document_id: str) -> bytes:
        """The document's bytes; KeyError when unknown."""
        ...


@dataclass(frozen=True)
class PostalItem:
    letter_id: str  # the posting's idempotency key: a letter posted twice is posted once
    case_id: str
    kind: LetterKind
    recipient: str
    address: PostalAddress
    document_id: str


@dataclass(frozen=True)
class PostalReceipt:
    letter_id: str
    posted_at: datetime
    tracking_id: str | None = None  # registered letters
    acknowledged_on: date | None = None  # the acknowledgement of receipt, when known


class PostalPort(Protocol):
    """Letters on paper (or the registered electronic letter allowed since 2020)."""

    async def send(self, item: PostalItem) -> PostalReceipt: ...


class DocumentKind(StrEnum):
    """The documents recovery generates (the creditor's proofs are uploaded, not generated)."""

    AMICABLE_LETTER = "amicable_letter"  # the plain letter of the amicable phase
    REGISTERED_LETTER = "registered_letter"  # the simplified procedure's letter, R125-2 mentions
    INJUNCTION_REQUEST = "injunction_request"  # the injunction-to-pay request (CPC 1405 ff.), prefilled


@dataclass(frozen=True)
class CreditorDetails:
    """Who the creditor is on paper (from identity's account events, kept in recovery's view)."""

    name: str  # the person's full name or the company's name
    address: PostalAddress
    email: str = ""
    siren: str = ""  # a legal person's


@dataclass(frozen=True)
class LetterRequest:
    """Everything a generated document shows; the renderer adds nothing it was not given."""

    kind: DocumentKind
    case: Case
    creditor: CreditorDetails
    office: Office
    issued_on: date
    debtor_link: str = ""  # the debtor space's single-use link (letters), or empty
    court: str = ""  # the injunction request's court (debtor's domicile; commercial court between traders)


class LetterRenderer(Protocol):
    """Generated documents as PDF bytes, in French (HTML templates rendered by WeasyPrint)."""

    def render(self, request: LetterRequest) -> bytes: ...


class MandateView(Protocol):
    """Recovery's view of billing's mandate events: filing needs a signed SEPA mandate."""

    async def signed(self, account_id: str) -> bool: ...


@dataclass(frozen=True)
class KnownCreditor:
    """What recovery's view of identity knows of a creditor (identity's events carry no address yet:
    the letters then show the address given with the filing)."""

    name: str
    email: str = ""
    siren: str = ""
    address: PostalAddress | None = None


class CreditorView(Protocol):
    """Recovery's view of identity's account events: the creditor's name, email, SIREN (address if known)."""

    async def details(self, account_id: str) -> KnownCreditor | None: ...


class RightsPort(Protocol):
    """Recovery's view of teams' rights (`chassis.rights.RightsView`)."""

    async def may(self, company_id: str, member_id: str, right: Right) -> bool: ...


@dataclass(frozen=True)
class DebtorLink:
    token: str
    url: str


class DebtorLinks(Protocol):
    """The debtor space's single-use links (chassis tokens): only a hash is stored."""

    async def issue(self, case_id: str, *, expires_at: datetime) -> DebtorLink: ...

    async def case_of(self, token: str) -> str | None:
        """The case a live link opens (without using it up), or None."""
        ...

    async def use(self, token: str) -> str | None:
        """Use the link up (the debtor answered): its case the first time, None after."""
        ...


class SagaStore(Protocol):
    """The saga's state per payment schedule (ADR 0022), its grace deadline claimed like a case's."""

    async def get(self, schedule_id: str) -> Saga | None: ...

    async def put(self, saga: Saga, *, expected_version: int, mails: Sequence[Mail] = ()) -> None:
        """Store `saga` over the version read (0: a new one), with its mail, in one write;
        StaleCase when it changed since. Releases the saga's claim, if any."""
        ...

    async def claim_due(self, now: datetime) -> Saga | None: ...

    async def release(self, schedule_id: str) -> None: ...

    async def awaiting_mandate(self, merchant_id: str) -> Sequence[Saga]: ...


@dataclass(frozen=True)
class RecoveryPorts:
    """Everything a handler may use, wired once by the app (real adapters) or by a test (fakes)."""

    cases: CaseStore
    directory: CommissaireDirectory
    documents: DocumentStore
    postal: PostalPort
    clock: Clock
    letters: LetterRenderer
    mandates: MandateView
    creditors: CreditorView
    rights: RightsPort
    links: DebtorLinks
    sagas: SagaStore
    policy: ProcedurePolicy = field(default_factory=ProcedurePolicy)
    # Where the creditor signs a mandate (billing's route, through the gateway), told in a 409.
    mandate_url: str = "/api/billing/profiles/me/mandate"


__all__ = [
    "CaseExists",
    "CaseNotFound",
    "CaseStore",
    "Clock",
    "CommissaireDirectory",
    "CreditorDetails",
    "CreditorView",
    "DebtorLink",
    "DebtorLinks",
    "DocumentKind",
    "DocumentStore",
    "KnownCreditor",
    "LetterRenderer",
    "LetterRequest",
    "Mail",
    "MandateView",
    "PostalItem",
    "PostalPort",
    "PostalReceipt",
    "RecoveryPorts",
    "RightsPort",
    "SagaStore",
    "StaleCase",
    "StoredDocument",
]
