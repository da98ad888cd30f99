"""FileCase: a creditor files a claim against a debtor, with its proof documents."""

from __future__ import annotations

from dataclasses import dataclass

from contracts import Right
from recovery.domain import cases
from recovery.domain.cases import Case, CaseError, Creditor, MandateRequired, MissingRight
from recovery.domain.claims import ClaimInput, ClaimRefused, Violation, accept_claim
from recovery.domain.deadlines import local_day
from recovery.domain.documents import DocumentRef, ProofUpload, check_proofs, proof_type
from recovery.handlers.base import add
from recovery.ports import CaseNotFound, RecoveryPorts

SUBMIT_REQUESTS = Right.HANDLE_COMPANY_REQUESTS  # right 3 of teams: submit requests for the company

FILING_DEPARTMENT = "75"  # the filing day is the platform's day, in metropolitan time


@dataclass(frozen=True)
class FileCase:
    case_id: str  # chosen by the caller: filing twice with the same id files once
    creditor: Creditor
    claim: ClaimInput
    documents: tuple[ProofUpload, ...] = ()
    # The saga files on a merchant's behalf without uploads: billing's schedule is the proof.
    proofs_required: bool = True


async def handle(command: FileCase, ports: RecoveryPorts) -> Case:
    try:
        existing = await ports.cases.get(command.case_id)
    except CaseNotFound:
        pass
    else:
        if existing.creditor != command.creditor:
            raise CaseError("case-id-taken", f"case id {command.case_id} is taken")
        return existing
    if command.creditor.company_id is not None and not await ports.rights.may(
        command.creditor.company_id, command.creditor.account_id, SUBMIT_REQUESTS
    ):
        raise MissingRight(command.creditor.company_id, SUBMIT_REQUESTS.value)
    if not await ports.mandates.signed(command.creditor.account_id):
        raise MandateRequired(ports.mandate_url)
    now = ports.clock.now()
    policy = ports.policy
    violations = check_proofs(
        command.documents,
        max_bytes=policy.proof_max_bytes,
        max_count=policy.proof_max_count,
        required=command.proofs_required,
    )
    known = await ports.creditors.details(command.creditor.account_id)
    if command.claim.creditor_address is None and (known is None or known.address is None):
        violations.append(
            Violation(
                "required",
                "creditor_address",
                "Votre adresse postale figure sur les lettres : indiquez-la.",
                "Your postal address is shown on the letters: give it.",
                "CPCE R125-2",
            )
        )
    try:
        claim = accept_claim(command.claim, local_day(now, FILING_DEPARTMENT))
    except ClaimRefused as refused:
        raise ClaimRefused([*refused.violations, *violations]) from None
    if violations:
        raise ClaimRefused(violations)
    # Proofs first, then the case: a failure in between leaves unreferenced immutable documents,
    # never a case without its proofs.
    documents = []
    for upload in command.documents:
        media_type = proof_type(upload.content)
        if media_type is None:  # pragma: no cover (check_proofs refused it above)
            raise ClaimRefused(check_proofs((upload,)))
        stored = await ports.documents.put(upload.content, media_type=media_type.value, name=upload.name.strip())
        documents.append(DocumentRef(stored.document_id, stored.name, stored.media_type, stored.sha256, stored.size))
    decision = cases.file_case(command.case_id, command.creditor, claim, now, tuple(documents))
    return await add(ports, decision)
