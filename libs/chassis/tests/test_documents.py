"""A document is what its content says, whatever its name."""

from __future__ import annotations

import pytest

from chassis.documents import DocumentType, document_type


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", DocumentType.PDF),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", DocumentType.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00", DocumentType.PNG),
    ],
)
def test_known_types_by_their_first_bytes(content: bytes, kind: DocumentType) -> None:
    assert document_type(content) is kind


@pytest.mark.parametrize("content", [b"", b"MZ\x90\x00 an executable", b"%PD", b"GIF89a", b"<html>"])
def test_anything_else_is_no_document(content: bytes) -> None:
    assert document_type(content) is None
