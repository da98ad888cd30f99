"""The debtor space: no account, the single-use link the letters and emails carry.

The token travels in the JSON request body of every route (POST, even to read), never in a URL
path or query, which proxies and access logs keep. The link opens the claim while the procedure
runs (amicable, simplified, the debtor's acceptance awaiting its agreement); once the debtor
answered, or the procedure is over, or the link expired, every route answers **410**
`link-invalid`, one answer whatever the reason (so a token cannot be probed). The debtor reads the
claim, its proofs and the letters sent to them, and answers once: accept (with a proposed
agreement) or refuse; the answer is recorded with its time on the case's timeline (the commissaire
sees it) and published (`DebtorAnswered`).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from chassis.openapi import problems
from recovery.api.common import DOCUMENT_RESPONSE, decided
from recovery.api.creditor import case_document
from recovery.api.deps import PortsDep
from recovery.api.problems import (
    AMOUNT_ABOVE_BALANCE,
    ANSWER_TOO_LATE,
    DOCUMENT_NOT_FOUND,
    LINK_INVALID,
    NOT_OPEN_TO_ANSWER,
)
from recovery.api.schemas import (
    AnswerOut,
    DebtorAnswerIn,
    DebtorClaimOut,
    DebtorTokenIn,
    DocumentOut,
    DocumentRequestIn,
    InvoiceOut,
)
from recovery.domain.cases import Answer, Case, Phase
from recovery.handlers import AnswerAsDebtor, ViewAsDebtor, dispatch
from recovery.ports import DocumentKind

router = APIRouter(prefix="/debtor-space", tags=["debtor"])
# What the debtor sees of the generated documents: the letters sent to them, not the creditor's
# injunction request.
LETTERS = frozenset({DocumentKind.AMICABLE_LETTER.value, DocumentKind.REGISTERED_LETTER.value})


def debtor_view(case: Case) -> DebtorClaimOut:
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
        documents=[DocumentOut.of_proof(d) for d in case.documents]
        + [DocumentOut.of_generated(g) for g in case.generated if g.kind in LETTERS],
    )


@router.post(
    "/claim", operation_id="debtor_view_claim", response_model=DebtorClaimOut, responses=problems(LINK_INVALID)
)
async def debtor_view_claim(body: DebtorTokenIn, ports: PortsDep) -> DebtorClaimOut:
    """The claim the link opens: what is claimed and why, the invoices, the proofs and the letters,
    and until when an answer is possible. Reading does not use the link up."""
    case: Case = await decided("", dispatch(ViewAsDebtor(body.token), ports))
    return debtor_view(case)


@router.post(
    "/answer",
    operation_id="debtor_answer",
    response_model=DebtorClaimOut,
    responses=problems(LINK_INVALID, NOT_OPEN_TO_ANSWER, ANSWER_TOO_LATE, AMOUNT_ABOVE_BALANCE),
)
async def debtor_answer(body: DebtorAnswerIn, ports: PortsDep) -> DebtorClaimOut:
    """Accept the simplified procedure (with the agreement proposed: amount and terms) or refuse it,
    once. On refusal the creditor may seek an injunction to pay."""
    command = AnswerAsDebtor(
        body.token,
        Answer(body.answer),
        proposed_amount_cents=body.proposed_amount_cents,
        proposed_terms=body.proposed_terms,
    )
    case: Case = await decided("", dispatch(command, ports))
    return debtor_view(case)


@router.post(
    "/documents",
    operation_id="debtor_download_document",
    response_class=Response,
    responses={**problems(LINK_INVALID, DOCUMENT_NOT_FOUND), **DOCUMENT_RESPONSE},
)
async def debtor_download_document(body: DocumentRequestIn, ports: PortsDep) -> Response:
    """One of the claim's proofs or letters (POST: the token stays out of the URL)."""
    case: Case = await decided("", dispatch(ViewAsDebtor(body.token), ports))
    return await case_document(ports, case, body.document_id, kinds=LETTERS)
