"""What an uploaded document is, by its content, never by its name.

A file is what its first bytes say: PDF `%PDF-`, PNG's 8-byte signature,
JPEG's SOI marker `FF D8 FF`. A name ending in `.pdf` over an executable is
therefore refused. Used by every route that takes documents (teams' trade
register extracts, recovery's proofs).
"""

from __future__ import annotations

from enum import StrEnum


class DocumentType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


SIGNATURES: tuple[tuple[bytes, DocumentType], ...] = (
    (b"%PDF-", DocumentType.PDF),
    (b"\xff\xd8\xff", DocumentType.JPEG),
    (b"\x89PNG\r\n\x1a\n", DocumentType.PNG),
)


def document_type(content: bytes) -> DocumentType | None:
    """The type the content's first bytes declare (PDF, JPEG, PNG), or None for anything else."""
    return next((kind for signature, kind in SIGNATURES if content.startswith(signature)), None)
