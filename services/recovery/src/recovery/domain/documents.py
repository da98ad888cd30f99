"""The creditor's proof documents: PDF, JPEG or PNG, recognised by their content, never their name.

A file is what its first bytes say (PDF `%PDF-`, PNG's 8-byte signature, JPEG's SOI marker
`FF D8 FF`); a name ending in `.pdf` over an executable is refused. Each file is bounded in size,
and so is their number. Every failure is a `Violation`, reported with the claim's own (all at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from chassis.documents import DocumentType, document_type
from recovery.domain.claims import Violation
from recovery.domain.text import has_control_characters

MAX_PROOF_BYTES = 10 * 1024 * 1024
MAX_PROOFS = 20


# The accepted types, by content (chassis.documents).
ProofType = DocumentType


@dataclass(frozen=True)
class ProofUpload:
    name: str
    content: bytes


@dataclass(frozen=True)
class DocumentRef:
    """A stored proof, as the case keeps it (the bytes live in the document store)."""

    document_id: str
    name: str
    media_type: str
    sha256: str
    size: int


def proof_type(content: bytes) -> ProofType | None:
    """The type the content's first bytes declare, or None for anything else."""
    return document_type(content)


def check_proofs(
    uploads: tuple[ProofUpload, ...],
    *,
    max_bytes: int = MAX_PROOF_BYTES,
    max_count: int = MAX_PROOFS,
    required: bool = True,
) -> list[Violation]:
    """Every rule the proofs fail: at least one (unless not `required`), at most `max_count`, each a
    non-empty PDF, PNG or JPEG of at most `max_bytes`, with a printable name."""
    violations: list[Violation] = []
    if required and not uploads:
        violations.append(
            Violation(
                "proof-required",
                "documents",
                "Joignez au moins un justificatif (facture, contrat).",
                "Attach at least one proof document (invoice, contract).",
            )
        )
    if len(uploads) > max_count:
        violations.append(
            Violation(
                "too-many-documents",
                "documents",
                f"{max_count} justificatifs au plus.",
                f"At most {max_count} proof documents.",
            )
        )
    for i, upload in enumerate(uploads):
        where = f"documents[{i}]"
        name = upload.name.strip()
        if not name or has_control_characters(name) or len(name) > 200:
            violations.append(
                Violation("document-name-invalid", f"{where}.name", "Nom de fichier invalide.", "Invalid file name.")
            )
        if not upload.content:
            violations.append(Violation("document-empty", where, "Le fichier est vide.", "The file is empty."))
        elif len(upload.content) > max_bytes:
            violations.append(
                Violation(
                    "document-too-large",
                    where,
                    f"Un justificatif fait au plus {max_bytes // (1024 * 1024)} Mo.",
                    f"A proof document is at most {max_bytes // (1024 * 1024)} MiB.",
                )
            )
        elif proof_type(upload.content) is None:
            violations.append(
                Violation(
                    "document-type-not-allowed",
                    where,
                    "Seuls les fichiers PDF, JPEG et PNG sont acceptés (d'après leur contenu).",
                    "Only PDF, JPEG and PNG files are accepted (judged by their content).",
                )
            )
    return violations
