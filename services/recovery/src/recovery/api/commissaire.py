"""The commissaire de justice's routes: a caller with role `commissaire` and an `office_id` claim.

An office sees the cases assigned to it (to accept or refuse) and those it accepted; any other
case answers 404, as an unknown id does. On its cases it records the debtor's paper answer, the
payments, and the agreement with its enforceable title.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from chassis.openapi import ErrorCode, problems
from recovery.api.common import DOCUMENT_RESPONSE, decided, load
from recovery.api.creditor import case_document
from recovery.api.deps import ApiPortsDep, Commissaire, CommissaireDep, PortsDep
from recovery.api.problems import (
    AMOUNT_ABOVE_BALANCE,
    ANSWER_TOO_LATE,
    AUTH,
    CASE_OVER,
    COMMISSAIRE_ONLY,
    DOCUMENT_NOT_FOUND,
    NOT_ACCEPTED,
    NOT_AWAITING_OFFICE,
    NOT_OPEN_TO_ANSWER,
    OFFICE_CASE_NOT_FOUND,
    REASON_REQUIRED,
    REFERENCE_REQUIRED,
    TERMS_REQUIRED,
    TITLE_IN_FUTURE,
    TITLE_NUMBER_REQUIRED,
    no_such_case,
)
from recovery.api.schemas import AgreementIn, CaseOut, CaseSummary, CommissaireAnswerIn, PaymentIn, RefuseIn
from recovery.domain.cases import Actor, ActorKind, Answer, Case
from recovery.handlers import (
    AcceptCase,
    CaseCommand,
    RecordAgreement,
    RecordDebtorAnswer,
    RecordPayment,
    RefuseCase,
    dispatch,
)
from recovery.ports import RecoveryPorts

router = APIRouter(prefix="/office/cases", tags=["commissaire"])
CaseId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The case's id")]
ROLE = (*AUTH, COMMISSAIRE_ONLY)
ON_CASE = (*ROLE, OFFICE_CASE_NOT_FOUND)


def _responses(*codes: ErrorCode) -> dict[int | str, dict[str, Any]]:
    """An office route's problems: not a commissaire, not the office's case, and `codes`."""
    return problems(*ON_CASE, *codes)


async def office_case(ports: RecoveryPorts, who: Commissaire, case_id: str) -> Case:
    case = await load(ports, case_id)
    if case.office_id != who.office_id:
        raise no_such_case(case_id)
    return case


async def _act(ports: RecoveryPorts, case_id: str, command: CaseCommand) -> CaseOut:
    case: Case = await decided(case_id, dispatch(command, ports))
    return CaseOut.of(case)


@router.get("", operation_id="list_office_cases", response_model=list[CaseSummary], responses=problems(*ROLE))
async def list_office_cases(who: CommissaireDep, api: ApiPortsDep) -> list[CaseSummary]:
    """My office's cases, newest first: those waiting for its answer and those it accepted."""
    return [CaseSummary.of(c) for c in await api.queries.of_office(who.office_id)]


@router.get("/{case_id}", operation_id="get_office_case", response_model=CaseOut, responses=_responses())
async def get_office_case(case_id: CaseId, who: CommissaireDep, ports: PortsDep) -> CaseOut:
    """The case in full, with its timeline and documents."""
    return CaseOut.of(await office_case(ports, who, case_id))


@router.post(
    "/{case_id}/acceptance",
    operation_id="accept_case",
    response_model=CaseOut,
    responses=_responses(NOT_AWAITING_OFFICE),
)
async def accept_case(case_id: CaseId, who: CommissaireDep, ports: PortsDep) -> CaseOut:
    """Accept the case: the amicable phase starts (plain letter and email to the debtor)."""
    await office_case(ports, who, case_id)
    return await _act(ports, case_id, AcceptCase(case_id, who.office_id))


@router.post(
    "/{case_id}/refusal",
    operation_id="refuse_case",
    response_model=CaseOut,
    responses=_responses(NOT_AWAITING_OFFICE, REASON_REQUIRED),
)
async def refuse_case(case_id: CaseId, body: RefuseIn, who: CommissaireDep, ports: PortsDep) -> CaseOut:
    """Refuse the case, with a reason: it passes to the next competent office, or back to the
    creditor when none is left. The office no longer sees it."""
    await office_case(ports, who, case_id)
    case: Case = await decided(case_id, dispatch(RefuseCase(case_id, who.office_id, body.reason), ports))
    return CaseOut.of(case)


@router.post(
    "/{case_id}/debtor-answer",
    operation_id="record_debtor_answer",
    response_model=CaseOut,
    responses=_responses(NOT_OPEN_TO_ANSWER, ANSWER_TOO_LATE, AMOUNT_ABOVE_BALANCE),
)
async def record_debtor_answer(
    case_id: CaseId, body: CommissaireAnswerIn, who: CommissaireDep, ports: PortsDep
) -> CaseOut:
    """Record the debtor's answer received on paper (the acceptance or refusal form)."""
    await office_case(ports, who, case_id)
    command = RecordDebtorAnswer(
        case_id,
        Answer(body.answer),
        Actor(ActorKind.COMMISSAIRE, who.office_id),
        proposed_amount_cents=body.proposed_amount_cents,
        proposed_terms=body.proposed_terms,
    )
    return await _act(ports, case_id, command)


@router.post(
    "/{case_id}/payments",
    operation_id="record_payment",
    response_model=CaseOut,
    responses=_responses(CASE_OVER, REFERENCE_REQUIRED, AMOUNT_ABOVE_BALANCE),
)
async def record_payment(case_id: CaseId, body: PaymentIn, who: CommissaireDep, ports: PortsDep) -> CaseOut:
    """Record a payment of the debtor; paid in full, the case is settled. The same reference twice
    is recorded once."""
    await office_case(ports, who, case_id)
    actor = Actor(ActorKind.COMMISSAIRE, who.office_id)
    return await _act(ports, case_id, RecordPayment(case_id, body.reference, body.amount_cents, actor))


@router.post(
    "/{case_id}/agreement",
    operation_id="record_agreement",
    response_model=CaseOut,
    responses=_responses(NOT_ACCEPTED, AMOUNT_ABOVE_BALANCE, TERMS_REQUIRED, TITLE_NUMBER_REQUIRED, TITLE_IN_FUTURE),
)
async def record_agreement(case_id: CaseId, body: AgreementIn, who: CommissaireDep, ports: PortsDep) -> CaseOut:
    """Record the agreement (amount, payment terms) and the enforceable title issued (number, date):
    the case closes."""
    await office_case(ports, who, case_id)
    command = RecordAgreement(
        case_id, who.office_id, body.amount_cents, body.payment_terms, body.title_number, body.title_date
    )
    return await _act(ports, case_id, command)


@router.get(
    "/{case_id}/documents/{document_id}",
    operation_id="download_office_case_document",
    response_class=Response,
    responses={**_responses(DOCUMENT_NOT_FOUND), **DOCUMENT_RESPONSE},
)
async def download_office_case_document(
    case_id: CaseId,
    document_id: Annotated[str, Path(max_length=100)],
    who: CommissaireDep,
    ports: PortsDep,
) -> Response:
    """A proof document or a generated letter of the case."""
    case = await office_case(ports, who, case_id)
    return await case_document(ports, case, document_id)
