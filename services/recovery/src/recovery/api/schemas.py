"""Request and response models of recovery's API. Money in integer cents, instants in UTC.

Free text refuses control characters (`chassis.text`): a 422 naming the field. The claim's rules
themselves (SIREN, postcode in France, the R125-1 ceiling, every invoice past due) are the domain's
(`recovery.domain.claims`), reported all at once as field errors.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from chassis.text import MultiLine, SingleLine
from recovery.domain.cases import Case, GeneratedDocument, Phase
from recovery.domain.claims import AddressInput, ClaimInput, DebtorInput, InvoiceInput
from recovery.domain.documents import DocumentRef

Text50 = Annotated[str, SingleLine(max_length=50)]
Text100 = Annotated[str, SingleLine(max_length=100)]
Text200 = Annotated[str, SingleLine(max_length=200)]
OptText200 = Annotated[str, SingleLine(min_length=0, max_length=200)]
Note = Annotated[str, MultiLine(min_length=0, max_length=2000)]
Terms = Annotated[str, MultiLine(max_length=2000)]
Cents = Annotated[int, Field(ge=1, le=100_000_000, description="Integer cents of EUR")]

# One story for every example: Boulangerie Martin SARL (SIREN 552100554, Lyon) files against
# Quincaillerie Lorraine SARL in Metz (department 57, court of appeal of Metz), two unpaid invoices;
# the office sample-metz-1 accepts, the plain then the registered letter go out, the debtor accepts
# and the agreement closes the case. FastAPI drops every None from an example when it writes the
# document, so the nullable fields hold values: `due_at` and `answer_until` show the month to answer,
# and the letters list the registered one only (a plain letter's tracking id is null).
# The examples are JSON documents (what a client sends or reads), checked against their models by
# `tests/test_api_examples.py`.
Json = dict[str, JsonValue]
EXAMPLE_CASE_ID = "5d41402abc4b2a76b9719d911017c592"
EXAMPLE_CREDITOR_ID = "8f14e45fceea167a5a36dedd4bea2543"
EXAMPLE_OFFICE_ID = "sample-metz-1"
EXAMPLE_TOKEN = "q8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE"
EXAMPLE_DEBTOR_ADDRESS: Json = {"line1": "12 rue Serpenoise", "postcode": "57000", "city": "Metz"}
EXAMPLE_INVOICES: list[JsonValue] = [
    {"number": "F-2026-001", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount_cents": 120000},
    {"number": "F-2026-002", "issue_date": "2026-01-12", "due_date": "2026-02-11", "amount_cents": 80000},
]
EXAMPLE_CLAIM: Json = {
    "case_id": EXAMPLE_CASE_ID,
    "company_id": "552100554",
    "creditor_trader": True,
    "debtor": {
        "kind": "legal",
        "name": "Quincaillerie Lorraine SARL",
        "first_name": "",
        "siren": "732829320",
        "address": EXAMPLE_DEBTOR_ADDRESS,
        "email": "compta@quincaillerie-lorraine.fr",
        "phone": "03 87 75 12 34",
        "trader": True,
    },
    "cause": "contract",
    "invoices": EXAMPLE_INVOICES,
    "interest_cents": 1234,
    "description": "Pains et viennoiseries livrés en janvier 2026 (bons de livraison du 5 et du 12 janvier)",
    "creditor_address": {"line1": "8 rue de la République", "postcode": "69002", "city": "Lyon"},
}
EXAMPLE_PROOF: Json = {
    "document_id": "66f1c2a9e4b0a1b2c3d4e5f6",
    "name": "facture-F-2026-001.pdf",
    "media_type": "application/pdf",
    "sha256": "700705415442b8015ee24ae925043596dd2718263ec58b7362b37eb80e8bcb71",
    "size": 48213,
    "kind": "proof",
}
EXAMPLE_PLAIN_LETTER_DOC: Json = {
    "document_id": "66f1c2a9e4b0a1b2c3d4e5f7",
    "name": "amicable_letter.pdf",
    "media_type": "application/pdf",
    "sha256": "a116c9ed46d6207734a43317d30fd88f52ac8634c37d904bbf4e41d865f90475",
    "kind": "amicable_letter",
    "created_at": "2026-03-03T08:00:00Z",
}
EXAMPLE_REGISTERED_LETTER_DOC: Json = {
    "document_id": "66f1c2a9e4b0a1b2c3d4e5f8",
    "name": "registered_letter.pdf",
    "media_type": "application/pdf",
    "sha256": "b1a9e561106ea030330ac272e9f446130d42887aa4596fbf9a1dc4bd2144ed4a",
    "kind": "registered_letter",
    "created_at": "2026-03-18T08:00:00Z",
}
EXAMPLE_INJUNCTION_DOC: Json = {
    "document_id": "66f1c2a9e4b0a1b2c3d4e5f9",
    "name": "injunction_request.pdf",
    "media_type": "application/pdf",
    "sha256": "e6b0f7ea82503f9d1ac6dba5096e6485763f147d57c5bcc3b777094e0e7047d1",
    "kind": "injunction_request",
    "created_at": "2026-04-20T09:15:00Z",
}
# The month to answer the registered letter of 2026-03-18 (CPC 641, 642; Europe/Paris).
EXAMPLE_ANSWER_UNTIL = "2026-04-18T21:59:59Z"
EXAMPLE_ANSWER: Json = {
    "answer": "accepted",
    "at": "2026-04-02T17:42:00Z",
    "recorded_by": "debtor",
    "proposed_amount_cents": 201234,
    "proposed_terms": "4 mensualités de 503,09 EUR, le 5 de chaque mois à partir de mai 2026",
}
EXAMPLE_CASE: Json = {
    "case_id": EXAMPLE_CASE_ID,
    "phase": "closed",
    "creditor_account_id": EXAMPLE_CREDITOR_ID,
    "company_id": "552100554",
    "debtor": {
        "kind": "legal",
        "name": "Quincaillerie Lorraine SARL",
        "first_name": "",
        "display_name": "Quincaillerie Lorraine SARL",
        "siren": "732829320",
        "address": {**EXAMPLE_DEBTOR_ADDRESS, "line2": "", "department": "57"},
        "email": "compta@quincaillerie-lorraine.fr",
        "phone": "03 87 75 12 34",
        "trader": True,
    },
    "cause": "contract",
    "invoices": EXAMPLE_INVOICES,
    "description": EXAMPLE_CLAIM["description"],
    "principal_cents": 200000,
    "interest_cents": 1234,
    "total_cents": 201234,
    "paid_cents": 0,
    "balance_cents": 201234,
    "court_of_appeal": "Metz",
    "office_id": EXAMPLE_OFFICE_ID,
    "refused_by": [],
    "filed_at": "2026-03-02T09:30:00Z",
    "due_at": EXAMPLE_ANSWER_UNTIL,
    "outcome": "agreement",
    "letters": [
        {
            "letter_id": f"{EXAMPLE_CASE_ID}.registered",
            "kind": "registered",
            "sent_at": "2026-03-18T08:00:00Z",
            "document_id": EXAMPLE_REGISTERED_LETTER_DOC["document_id"],
            "tracking_id": "RR001382181FR",
        }
    ],
    "payments": [],
    "answer": EXAMPLE_ANSWER,
    "agreement": {
        "amount_cents": 201234,
        "payment_terms": EXAMPLE_ANSWER["proposed_terms"],
        "title_number": "CJ-57-2026-0117",
        "title_date": "2026-04-10",
        "at": "2026-04-10T10:05:00Z",
    },
    "documents": [EXAMPLE_PROOF, EXAMPLE_PLAIN_LETTER_DOC, EXAMPLE_REGISTERED_LETTER_DOC],
    "timeline": [
        {
            "at": "2026-03-02T09:30:00Z",
            "actor": "creditor",
            "actor_id": EXAMPLE_CREDITOR_ID,
            "action": "filed",
            "detail": "",
        },
        {
            "at": "2026-03-02T09:30:01Z",
            "actor": "system",
            "actor_id": "recovery",
            "action": "assigned",
            "detail": EXAMPLE_OFFICE_ID,
        },
        {
            "at": "2026-03-02T14:12:00Z",
            "actor": "commissaire",
            "actor_id": EXAMPLE_OFFICE_ID,
            "action": "accepted",
            "detail": "",
        },
        {
            "at": "2026-03-03T08:00:00Z",
            "actor": "commissaire",
            "actor_id": EXAMPLE_OFFICE_ID,
            "action": "plain letter sent",
            "detail": f"{EXAMPLE_CASE_ID}.plain",
        },
        {
            "at": "2026-03-18T08:00:00Z",
            "actor": "system",
            "actor_id": "recovery",
            "action": "registered letter sent",
            "detail": f"{EXAMPLE_CASE_ID}.registered: no payment 15 days after the plain letter",
        },
        {
            "at": "2026-04-02T17:42:00Z",
            "actor": "debtor",
            "actor_id": EXAMPLE_CASE_ID,
            "action": "debtor accepted",
            "detail": EXAMPLE_ANSWER["proposed_terms"],
        },
        {
            "at": "2026-04-10T10:05:00Z",
            "actor": "commissaire",
            "actor_id": EXAMPLE_OFFICE_ID,
            "action": "agreement recorded",
            "detail": "title CJ-57-2026-0117 of 2026-04-10",
        },
    ],
}
EXAMPLE_SUMMARY: Json = {
    "case_id": EXAMPLE_CASE_ID,
    "phase": "simplified",
    "debtor": "Quincaillerie Lorraine SARL",
    "total_cents": 201234,
    "balance_cents": 201234,
    "filed_at": "2026-03-02T09:30:00Z",
    "office_id": EXAMPLE_OFFICE_ID,
    "due_at": EXAMPLE_ANSWER_UNTIL,
}
EXAMPLE_DEBTOR_CLAIM: Json = {
    "case_id": EXAMPLE_CASE_ID,
    "phase": "debtor_accepted",
    "debtor": "Quincaillerie Lorraine SARL",
    "cause": "contract",
    "description": EXAMPLE_CLAIM["description"],
    "invoices": EXAMPLE_INVOICES,
    "principal_cents": 200000,
    "interest_cents": 1234,
    "paid_cents": 0,
    "balance_cents": 201234,
    "answer_until": EXAMPLE_ANSWER_UNTIL,
    "answer": EXAMPLE_ANSWER,
    "documents": [EXAMPLE_PROOF, EXAMPLE_PLAIN_LETTER_DOC, EXAMPLE_REGISTERED_LETTER_DOC],
}


class AddressIn(BaseModel):
    line1: Text200
    line2: OptText200 = ""
    postcode: Annotated[str, SingleLine(max_length=10)] = Field(
        description="Five digits; overseas departments (971-976) and 975/977/978 accepted"
    )
    city: Text100


class DebtorIn(BaseModel):
    kind: Literal["natural", "legal"] = Field(description="A natural person or a legal person (company)")
    name: Text200 = Field(description="Last name of a natural person, company name of a legal person")
    first_name: OptText200 = ""
    siren: Annotated[str, SingleLine(min_length=0, max_length=20)] = Field(
        default="", description="Required for a legal person; 9 digits with a valid Luhn key"
    )
    address: AddressIn
    email: Annotated[str, SingleLine(max_length=254)]
    phone: Annotated[str, SingleLine(min_length=0, max_length=20)] = ""
    trader: bool = Field(default=False, description="A trader (commerçant): decides the injunction's court")


class InvoiceIn(BaseModel):
    number: Text50
    issue_date: date
    due_date: date
    amount_cents: int = Field(description="Integer cents of EUR, > 0")


class ClaimIn(BaseModel):
    """The `claim` part of the filing form (a JSON document)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CLAIM]})

    case_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None = Field(
        default=None, description="Chosen by the client to file idempotently; generated when absent"
    )
    company_id: Annotated[str, Field(pattern=r"^\d{9}$")] | None = Field(
        default=None, description="The SIREN of the company filed for (needs right handle_company_requests)"
    )
    creditor_trader: bool | None = Field(
        default=None, description="Whether the creditor is a trader; defaults to true when filing for a company"
    )
    debtor: DebtorIn
    cause: str = Field(description="contract | statutory_obligation (CPCE L125-1 covers nothing else)")
    invoices: list[InvoiceIn] = Field(max_length=100)
    interest_cents: int = Field(default=0, description="Integer cents; principal plus interest <= 500000 (R125-1)")
    description: Note = Field(default="", description="The origin of the claim, shown in the registered letter")
    creditor_address: AddressIn | None = Field(
        default=None, description="The creditor's postal address for the letters, when identity has none"
    )

    def to_input(self) -> ClaimInput:
        d = self.debtor
        c = self.creditor_address
        return ClaimInput(
            creditor_address=AddressInput(c.line1, c.postcode, c.city, c.line2) if c else None,
            debtor=DebtorInput(
                kind=d.kind,
                name=d.name,
                first_name=d.first_name,
                siren=d.siren,
                address=AddressInput(d.address.line1, d.address.postcode, d.address.city, d.address.line2),
                email=d.email,
                phone=d.phone,
                trader=d.trader,
            ),
            cause=self.cause,
            invoices=tuple(InvoiceInput(i.number, i.issue_date, i.due_date, i.amount_cents) for i in self.invoices),
            interest_cents=self.interest_cents,
            description=self.description,
        )


class AddressOut(BaseModel):
    line1: str
    line2: str
    postcode: str
    city: str
    department: str


class DebtorOut(BaseModel):
    kind: str
    name: str
    first_name: str
    display_name: str
    siren: str
    address: AddressOut
    email: str
    phone: str
    trader: bool


class InvoiceOut(BaseModel):
    number: str
    issue_date: date
    due_date: date
    amount_cents: int


class DocumentOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_INJUNCTION_DOC]})

    document_id: str
    name: str
    media_type: str
    sha256: str
    size: int | None = Field(default=None, description="Bytes (proofs; a download says it for every document)")
    kind: str = Field(description="proof | amicable_letter | registered_letter | injunction_request")
    created_at: datetime | None = None

    @classmethod
    def of_proof(cls, ref: DocumentRef) -> DocumentOut:
        return cls(
            document_id=ref.document_id,
            name=ref.name,
            media_type=ref.media_type,
            sha256=ref.sha256,
            size=ref.size,
            kind="proof",
        )

    @classmethod
    def of_generated(cls, doc: GeneratedDocument) -> DocumentOut:
        return cls(
            document_id=doc.document_id,
            name=f"{doc.kind}.pdf",
            media_type="application/pdf",
            sha256=doc.sha256,
            kind=doc.kind,
            created_at=doc.at,
        )


class TimelineOut(BaseModel):
    at: datetime
    actor: str = Field(description="creditor | commissaire | debtor | system")
    actor_id: str = Field(description="The account, the office, the case (debtor) or 'recovery'")
    action: str
    detail: str


class PaymentOut(BaseModel):
    reference: str
    amount_cents: int
    at: datetime


class AnswerOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ANSWER]})

    answer: str
    at: datetime
    recorded_by: str
    proposed_amount_cents: int | None
    proposed_terms: str


class AgreementOut(BaseModel):
    amount_cents: int
    payment_terms: str
    title_number: str
    title_date: date
    at: datetime


class LetterOut(BaseModel):
    letter_id: str
    kind: str = Field(description="plain | registered")
    sent_at: datetime
    document_id: str
    tracking_id: str | None = Field(description="A registered letter's postal tracking id")


class CaseSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_SUMMARY]})

    case_id: str
    phase: Phase
    debtor: str
    total_cents: int
    balance_cents: int
    filed_at: datetime
    office_id: str | None
    due_at: datetime | None

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        return cls(
            case_id=case.case_id,
            phase=case.phase,
            debtor=case.claim.debtor.display_name,
            total_cents=case.claim.total_cents,
            balance_cents=case.balance_cents,
            filed_at=case.filed_at,
            office_id=case.office_id,
            due_at=case.due_at,
        )


class CaseOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CASE]})

    case_id: str
    phase: Phase
    creditor_account_id: str
    company_id: str | None
    debtor: DebtorOut
    cause: str
    invoices: list[InvoiceOut]
    description: str
    principal_cents: int
    interest_cents: int
    total_cents: int
    paid_cents: int
    balance_cents: int
    court_of_appeal: str
    office_id: str | None
    refused_by: list[str]
    filed_at: datetime
    due_at: datetime | None = Field(description="When the current phase's deadline passes (UTC), if it has one")
    outcome: str
    letters: list[LetterOut]
    payments: list[PaymentOut]
    answer: AnswerOut | None
    agreement: AgreementOut | None
    documents: list[DocumentOut]
    timeline: list[TimelineOut]

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        claim, debtor = case.claim, case.claim.debtor
        address = debtor.address
        return cls(
            case_id=case.case_id,
            phase=case.phase,
            creditor_account_id=case.creditor.account_id,
            company_id=case.creditor.company_id,
            debtor=DebtorOut(
                kind=debtor.kind.value,
                name=debtor.name,
                first_name=debtor.first_name,
                display_name=debtor.display_name,
                siren=debtor.siren,
                address=AddressOut(
                    line1=address.line1,
                    line2=address.line2,
                    postcode=address.postcode,
                    city=address.city,
                    department=address.department,
                ),
                email=debtor.email,
                phone=debtor.phone,
                trader=debtor.trader,
            ),
            cause=claim.cause.value,
            invoices=[InvoiceOut(**vars(i)) for i in claim.invoices],
            description=claim.description,
            principal_cents=claim.principal_cents,
            interest_cents=claim.interest_cents,
            total_cents=claim.total_cents,
            paid_cents=case.paid_cents,
            balance_cents=case.balance_cents,
            court_of_appeal=case.court_of_appeal,
            office_id=case.office_id,
            refused_by=list(case.refused_by),
            filed_at=case.filed_at,
            due_at=case.due_at,
            outcome=case.outcome,
            letters=[
                LetterOut(
                    letter_id=x.letter_id,
                    kind=x.kind.value,
                    sent_at=x.sent_at,
                    document_id=x.document_id,
                    tracking_id=x.tracking_id,
                )
                for x in case.letters
            ],
            payments=[PaymentOut(reference=p.reference, amount_cents=p.amount_cents, at=p.at) for p in case.payments],
            answer=AnswerOut(
                answer=case.answer.answer.value,
                at=case.answer.at,
                recorded_by=case.answer.recorded_by.value,
                proposed_amount_cents=case.answer.proposed_amount_cents,
                proposed_terms=case.answer.proposed_terms,
            )
            if case.answer
            else None,
            agreement=AgreementOut(**vars(case.agreement)) if case.agreement else None,
            documents=[DocumentOut.of_proof(d) for d in case.documents]
            + [DocumentOut.of_generated(g) for g in case.generated],
            timeline=[
                TimelineOut(at=t.at, actor=t.actor.kind.value, actor_id=t.actor.id, action=t.action, detail=t.detail)
                for t in case.timeline
            ],
        )


class WithdrawIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Le débiteur a payé directement"}]})
    reason: OptText200 = ""


class RefuseIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Conflit d'intérêts avec le débiteur"}]})
    reason: Text200


class PaymentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reference": "VIR-2026-03-0042", "amount_cents": 50000}]}
    )
    reference: Text100 = Field(description="The payment's own reference: the same one twice is recorded once")
    amount_cents: Cents


class AgreementIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount_cents": 201234,
                    "payment_terms": "4 mensualités de 503,09 EUR, le 5 de chaque mois à partir d'avril 2026",
                    "title_number": "CJ-57-2026-0117",
                    "title_date": "2026-03-20",
                }
            ]
        }
    )
    amount_cents: Cents
    payment_terms: Terms
    title_number: Text100 = Field(description="The enforceable title's number")
    title_date: date = Field(description="The enforceable title's date (not after today)")


class CommissaireAnswerIn(BaseModel):
    """A paper answer of the debtor, recorded by the commissaire."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"answer": "refused"}]})
    answer: Literal["accepted", "refused"]
    proposed_amount_cents: Cents | None = None
    proposed_terms: Note = ""


class DebtorTokenIn(BaseModel):
    """The debtor space's link token, in the body (never in a logged URL)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"token": EXAMPLE_TOKEN}]})
    token: Annotated[str, SingleLine(max_length=200)]


class DebtorAnswerIn(DebtorTokenIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"token": EXAMPLE_TOKEN, "answer": "refused"},
                {
                    "token": EXAMPLE_TOKEN,
                    "answer": "accepted",
                    "proposed_amount_cents": 201234,
                    "proposed_terms": "Trois versements mensuels à partir du 15 avril 2026",
                },
            ]
        }
    )
    answer: Literal["accepted", "refused"]
    proposed_amount_cents: Cents | None = Field(default=None, description="On acceptance: the amount proposed")
    proposed_terms: Note = Field(default="", description="On acceptance: the payment terms proposed")


class DebtorClaimOut(BaseModel):
    """What the debtor sees: the claim, its creditor, its documents, and whether an answer is open."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DEBTOR_CLAIM]})

    case_id: str
    phase: Phase
    debtor: str
    cause: str
    description: str
    invoices: list[InvoiceOut]
    principal_cents: int
    interest_cents: int
    paid_cents: int
    balance_cents: int
    answer_until: datetime | None = Field(description="The last instant to answer (UTC), while the month runs")
    answer: AnswerOut | None
    documents: list[DocumentOut]


class DocumentRequestIn(DebtorTokenIn):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": EXAMPLE_TOKEN, "document_id": EXAMPLE_PROOF["document_id"]}]}
    )
    document_id: Annotated[str, SingleLine(max_length=100)]
