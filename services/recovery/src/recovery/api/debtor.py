"""The debtor space: no account, the single-use link the letters and emails carry.

The token travels in the JSON request body of every route (POST, even to read), never in a URL
path or query, which proxies and access logs keep. The link is valid while the debtor may answer; once
answered ("used") or once the procedure is over ("expired"), every route answers 410 with the
reason, and an unknown token 404. The debtor reads the claim and its proofs and answers once:
accept (with a proposed agreement) or refuse; the answer is recorded with its time and reported
to the commissaire (the case's timeline and the `DebtorAnswered` event).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from chassis.errors import NotFound, Problem
from recovery.api.common import DOCUMENT_RESPONSE, decided, document_response, load, problem
from recovery.api.deps import ApiPortsDep, LinkNotValid, PortsDep, RecoveryApiPorts
from recovery.api.schemas import (
    AnswerOut,
    DebtorAnswerIn,
    DebtorClaimOut,
    DebtorTokenIn,
    DocumentOut,
    DocumentRequestIn,
    InvoiceOut,
)
from recovery.domain.cases import Actor, ActorKind, Answer, Case, Phase
from recovery.handlers import RecordDebtorAnswer, dispatch
from recovery.ports import RecoveryPorts

router = APIRouter(prefix="/debtor-space", tags=["debtor"])
LINK: dict[int | str, dict[str, Any]] = {
    404: problem("Unknown link (`link-unknown`)"),
    410: problem("The link was used (`link-used`: the answer is recorded) or has expired (`link-expired`)"),
    422: problem("No token, or a malformed body (`validation`)"),
}


def link_problem(reason: str) -> Problem:
    if reason == "used":
        return Problem("this link was used: your answer is recorded", status=410, code="link-used")
    if reason == "expired":
        return Problem("this link has expired: the procedure is over", status=410, code="link-expired")
    return NotFound("unknown link: check it was copied whole", code="link-unknown")


async def linked_case(ports: RecoveryPorts, api: RecoveryApiPorts, token: str) -> Case:
    try:
        case_id = await api.debtor_links.case_of(token)
    except LinkNotValid as invalid:
        raise link_problem(invalid.reason) from None
    return await load(ports, case_id)


def _claim(case: Case, api_generated: list[DocumentOut]) -> DebtorClaimOut:
    claim = case.claim
    answer = case.answer
    return DebtorClaimOut(
        case_id=case.case_id,
        phase=case.phase,
        debtor=claim.debtor.display_name,
        cause=claim.cause.value,
        description=claim.description,
        invoices=[InvoiceOut(**vars(i)) for i in claim.invoices],
        principal_cents=claim.principal_cents,
        interest_cents=claim.interest_cents,
        paid_cents=case.paid_cents,
        balance_cents=case.balance_cents,
        answer_until=case.due_at if case.phase is Phase.SIMPLIFIED else None,
        answer=AnswerOut(
            answer=answer.answer.value,
            at=answer.at,
            recorded_by=answer.recorded_by.value,
            proposed_amount_cents=answer.proposed_amount_cents,
            proposed_terms=answer.proposed_terms,
        )
        if answer
        else None,
        documents=[DocumentOut.of_proof(d) for d in case.documents] + api_generated,
    )


async def _view(ports: RecoveryPorts, api: RecoveryApiPorts, case: Case) -> DebtorClaimOut:
    generated = [DocumentOut.of_generated(g) for g in await api.generated.of_case(case.case_id)]
    # The debtor sees the letters sent to them, never the creditor's injunction request.
    return _claim(case, [g for g in generated if g.kind != "injunction_request"])


@router.post("/claim", operation_id="debtor_view_claim", response_model=DebtorClaimOut, responses=LINK)
async def debtor_view_claim(body: DebtorTokenIn, ports: PortsDep, api: ApiPortsDep) -> DebtorClaimOut:
    """The claim the link opens: who claims what and why, the invoices, the proofs and the letters,
    and until when an answer is possible. Reading does not use the link."""
    return await _view(ports, api, await linked_case(ports, api, body.token))


@router.post(
    "/answer",
    operation_id="debtor_answer",
    response_model=DebtorClaimOut,
    responses={
        **LINK,
        409: problem("Not open to an answer (`illegal-transition`) or the month has passed (`answer-too-late`)"),
        422: problem("A malformed answer, or a proposed amount above the balance (`amount-above-balance`)"),
    },
)
async def debtor_answer(body: DebtorAnswerIn, ports: PortsDep, api: ApiPortsDep) -> DebtorClaimOut:
    """Accept the simplified procedure (with the agreement proposed: amount and terms) or refuse it,
    once. On refusal the creditor may seek an injunction to pay."""
    case = await linked_case(ports, api, body.token)
    command = RecordDebtorAnswer(
        case.case_id,
        Answer(body.answer),
        Actor(ActorKind.DEBTOR, case.case_id),
        proposed_amount_cents=body.proposed_amount_cents,
        proposed_terms=body.proposed_terms,
    )
    answered = await decided(case.case_id, dispatch(command, ports))
    assert answered is not None
    return await _view(ports, api, answered)


@router.post(
    "/documents",
    operation_id="debtor_download_document",
    response_class=Response,
    responses={**DOCUMENT_RESPONSE, **LINK},
)
async def debtor_download_document(body: DocumentRequestIn, ports: PortsDep, api: ApiPortsDep) -> Response:
    """One of the claim's proofs or letters (POST: the token stays out of the URL)."""
    case = await linked_case(ports, api, body.token)
    view = await _view(ports, api, case)
    for document in view.documents:
        if document.document_id == body.document_id:
            return await document_response(
                ports, document.document_id, name=document.name, media_type=document.media_type
            )
    raise NotFound(f"no document {body.document_id} in this claim", code="document-not-found")
