"""Proof documents: PDF, JPEG or PNG by their content, bounded in size and number."""

from __future__ import annotations

import pytest

from recovery.domain.documents import ProofType, ProofUpload, check_proofs, proof_type
from services.recovery.tests.builders import JPEG, PDF, PNG, proof


@pytest.mark.parametrize(("content", "kind"), [(PDF, ProofType.PDF), (PNG, ProofType.PNG), (JPEG, ProofType.JPEG)])
def test_the_type_is_read_from_the_content(content: bytes, kind: ProofType) -> None:
    assert proof_type(content) is kind
    assert check_proofs((ProofUpload("no-extension", content),)) == []


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00", b"GIF89a", b"<html>%PDF-", b"PK\x03\x04 a docx", b"\x89PNG"],
)
def test_anything_else_is_refused_whatever_its_name(content: bytes) -> None:
    (violation,) = check_proofs((proof("facture.pdf", content),))
    assert violation.code == "document-type-not-allowed"


def test_size_emptiness_count_and_name_are_bounded() -> None:
    codes = [v.code for v in check_proofs((proof(content=PDF + b"x" * 2048),), max_bytes=2048)]
    assert codes == ["document-too-large"]
    assert [v.code for v in check_proofs((proof(content=b""),))] == ["document-empty"]
    assert [v.code for v in check_proofs((proof(),) * 3, max_count=2)] == ["too-many-documents"]
    assert [v.code for v in check_proofs((proof(name="a\x00.pdf"),))] == ["document-name-invalid"]
    assert [v.code for v in check_proofs(())] == ["proof-required"]
    assert check_proofs((proof(content=PDF + b"x" * (2048 - len(PDF))),), max_bytes=2048) == []
