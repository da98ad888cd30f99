"""The creditor's routes (a member account): file a case with its proofs, follow it, withdraw it,
download its documents and generate the injunction-to-pay request.

A case is the caller's when they filed it, or when it was filed for a company in which they hold
the right `handle_company_requests` (right 3, recovery's local rights view). Anyone else's case
answers 404, exactly as an unknown id does: no one learns which case ids exist.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from chassis.auth import Caller, CurrentCaller
from chassis.errors import Forbidden, NotFound
from chassis.openapi import MALFORMED, TOO_LARGE, problems
from recovery.api.common import DOCUMENT_RESPONSE, decided, document_response, load
from recovery.api.deps import ApiPortsDep, PortsDep
from recovery.api.problems import (
    AUTH,
    CASE_ID_TAKEN,
    CASE_NOT_FOUND,
    CASE_OVER,
    CLAIM_RULES,
    DOCUMENT_NOT_FOUND,
    FILING_RIGHT,
    INJUNCTION_NOT_AVAILABLE,
    LISTING_RIGHT,
    MANDATE_REQUIRED,
    PAPER,
    no_such_case,
)
from recovery.api.schemas import EXAMPLE_CLAIM, CaseOut, CaseSummary, ClaimIn, DocumentOut, WithdrawIn
from recovery.domain.cases import Actor, ActorKind, Case, CaseError, Creditor, GeneratedDocument, Phase
from recovery.domain.documents import ProofUpload
from recovery.handlers import AssignCase, FileCase, GenerateInjunctionRequest, Withdraw, dispatch
from recovery.handlers.file_case import SUBMIT_REQUESTS
from recovery.ports import RecoveryPorts

log = logging.getLogger("recovery.api")
router = APIRouter(prefix="/cases", tags=["creditor"])
CaseId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The case's id")]


async def may_act_for(ports: RecoveryPorts, caller: Caller, case: Case) -> bool:
    if case.creditor.account_id == caller.account_id:
        return True
    company = case.creditor.company_id
    return company is not None and await ports.rights.may(company, caller.account_id, SUBMIT_REQUESTS)


async def creditors_case(ports: RecoveryPorts, caller: Caller, case_id: str) -> Case:
    case = await load(ports, case_id)
    if not await may_act_for(ports, caller, case):
        raise no_such_case(case_id)
    return case


def _claim(raw: str) -> ClaimIn:
    try:
        return ClaimIn.model_validate_json(raw)
    except ValidationError as error:
        # The chassis' validation problem, each field under `claim.`.
        raise RequestValidationError(
            [{**e, "loc": ("body", "claim", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


async def _uploads(files: list[UploadFile], max_bytes: int) -> tuple[ProofUpload, ...]:
    uploads = []
    for file in files:
        # One byte past the limit is enough to refuse it (documents.check_proofs names the file).
        content = await file.read(max_bytes + 1)
        uploads.append(ProofUpload(file.filename or "", content))
    return tuple(uploads)


@router.post(
    "",
    operation_id="file_case",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    responses=problems(*AUTH, FILING_RIGHT, MANDATE_REQUIRED, CASE_ID_TAKEN, TOO_LARGE, MALFORMED, *CLAIM_RULES),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"claim": {"contentType": "application/json"}},
                    "examples": {
                        "company-debtor": {
                            "summary": "A Metz hardware shop owes two invoices",
                            "value": {"claim": EXAMPLE_CLAIM, "documents": ["facture-F-2026-001.pdf"]},
                        }
                    },
                }
            }
        }
    },
)
async def file_case(
    caller: CurrentCaller,
    ports: PortsDep,
    response: Response,
    claim: Annotated[str, Form(description="The claim, a JSON document (ClaimIn): debtor, cause, invoices, interest")],
    documents: Annotated[
        list[UploadFile], File(description="The proofs: PDF, JPEG or PNG, judged by content, 10 MiB each, 20 at most")
    ],
) -> CaseOut:
    """File a case against a debtor, with its proof documents, as one multipart form.

    Needs a signed SEPA mandate (every procedure fee is the creditor's, L125-1). Principal plus
    interest at most 5,000.00 EUR (R125-1), every invoice past due. The case is then assigned to the
    least-loaded competent office of the debtor's court-of-appeal district."""
    body = _claim(claim)
    creditor = Creditor(
        account_id=caller.account_id,
        company_id=body.company_id,
        trader=body.creditor_trader if body.creditor_trader is not None else body.company_id is not None,
    )
    case_id = body.case_id or uuid.uuid4().hex
    uploads = await _uploads(documents, ports.policy.proof_max_bytes)
    command = FileCase(case_id=case_id, creditor=creditor, claim=body.to_input(), documents=uploads)
    case: Case = await decided(case_id, dispatch(command, ports))
    if case.phase is Phase.FILED:
        # Then to the least-loaded competent office, as the saga's filing does. The case is stored
        # already: a failure here leaves it filed, and filing again with its id assigns it.
        try:
            case = await dispatch(AssignCase(case.case_id), ports)
        except CaseError:
            log.exception("assigning case %s failed: it stays filed", case.case_id)
    response.headers["Location"] = f"/api/recovery/cases/{case.case_id}"
    return CaseOut.of(case)


@router.get(
    "",
    operation_id="list_my_cases",
    response_model=list[CaseSummary],
    responses=problems(*AUTH, LISTING_RIGHT),
)
async def list_my_cases(
    caller: CurrentCaller,
    ports: PortsDep,
    api: ApiPortsDep,
    company_id: Annotated[str | None, Query(pattern=r"^\d{9}$", description="A company's SIREN")] = None,
) -> list[CaseSummary]:
    """My cases, newest first; with `company_id`, the cases filed for that company (right 3)."""
    if company_id is not None and not await ports.rights.may(company_id, caller.account_id, SUBMIT_REQUESTS):
        raise Forbidden(f"you need the right '{SUBMIT_REQUESTS}' for company {company_id}", code="missing-right")
    queries = api.queries
    cases = await (queries.of_company(company_id) if company_id else queries.of_creditor(caller.account_id))
    return [CaseSummary.of(c) for c in cases]


@router.get("/{case_id}", operation_id="get_my_case", response_model=CaseOut, responses=problems(*AUTH, CASE_NOT_FOUND))
async def get_my_case(case_id: CaseId, caller: CurrentCaller, ports: PortsDep) -> CaseOut:
    """The case with its full timeline (who, what, when), letters, payments, answer and documents."""
    return CaseOut.of(await creditors_case(ports, caller, case_id))


@router.post(
    "/{case_id}/withdrawal",
    operation_id="withdraw_case",
    response_model=CaseOut,
    responses=problems(*AUTH, CASE_NOT_FOUND, CASE_OVER),
)
async def withdraw_case(case_id: CaseId, body: WithdrawIn, caller: CurrentCaller, ports: PortsDep) -> CaseOut:
    """Withdraw the case, at any open phase: it closes (fees already incurred stay due)."""
    case = await creditors_case(ports, caller, case_id)
    actor = Actor(ActorKind.CREDITOR, caller.account_id)
    done: Case = await decided(case_id, dispatch(Withdraw(case.case_id, actor, body.reason), ports))
    return CaseOut.of(done)


@router.get(
    "/{case_id}/documents/{document_id}",
    operation_id="download_case_document",
    response_class=Response,
    responses={**problems(*AUTH, CASE_NOT_FOUND, DOCUMENT_NOT_FOUND), **DOCUMENT_RESPONSE},
)
async def download_case_document(
    case_id: CaseId,
    document_id: Annotated[str, Path(max_length=100)],
    caller: CurrentCaller,
    ports: PortsDep,
) -> Response:
    """A proof document or a generated letter of the case, as stored (immutable)."""
    case = await creditors_case(ports, caller, case_id)
    return await case_document(ports, case, document_id)


async def case_document(
    ports: RecoveryPorts, case: Case, document_id: str, *, kinds: frozenset[str] | None = None
) -> Response:
    """One of the case's documents: a proof, or a generated document (of `kinds`, if given)."""
    for proof in case.documents:
        if proof.document_id == document_id:
            return await document_response(ports, document_id, name=proof.name, media_type=proof.media_type)
    for generated in case.generated:
        if generated.document_id == document_id and (kinds is None or generated.kind in kinds):
            return await document_response(
                ports, document_id, name=f"{generated.kind}.pdf", media_type="application/pdf"
            )
    raise NotFound(f"no document {document_id} in this case", code="document-not-found")


@router.post(
    "/{case_id}/injunction-request",
    operation_id="generate_injunction_request",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
    responses=problems(*AUTH, CASE_NOT_FOUND, INJUNCTION_NOT_AVAILABLE, *PAPER),
)
async def generate_injunction_request(
    case_id: CaseId, caller: CurrentCaller, ports: PortsDep, response: Response
) -> DocumentOut:
    """Generate the injunction-to-pay request (CPC 1405 ff.), prefilled with the court of the debtor's
    domicile (the commercial court between traders), the parties, the amounts and the proofs. Once
    generated, the same document is returned again; download it from its `document_id`."""
    await creditors_case(ports, caller, case_id)
    command = GenerateInjunctionRequest(case_id, creditor_id=caller.account_id)
    generated: GeneratedDocument = await decided(case_id, dispatch(command, ports))
    response.headers["Location"] = f"/api/recovery/cases/{case_id}/documents/{generated.document_id}"
    return DocumentOut.of_generated(generated)
