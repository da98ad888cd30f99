"""Free text (chassis.text): what is refused, and how names are made inert in mail."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from chassis.text import MultiLine, SingleLine, inert, one_line


class Form(BaseModel):
    name: Annotated[str, SingleLine(max_length=20)]
    note: Annotated[str, MultiLine(min_length=0, max_length=50)] = ""


@pytest.mark.parametrize(
    "char",
    ["\r", "\n", "\x00", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"],
)
def test_single_line_refuses_control_and_invisible_formatting_characters(char: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Form(name=f"ACME{char}X")
    error = refused.value.errors()[0]
    assert error["loc"] == ("name",)
    assert f"U+{ord(char):04X}" in error["msg"]


def test_single_line_keeps_ordinary_text_and_its_length_rules() -> None:
    assert Form(name="  Société Générale é ").name == "Société Générale é"
    with pytest.raises(ValidationError, match="at least 1 character"):
        Form(name="   ")
    with pytest.raises(ValidationError, match="U\\+000D"):
        Form(name="ACME\r\n")  # refused before stripping


def test_multi_line_allows_line_feeds_and_tabs_only() -> None:
    assert Form(name="a", note="one\r\ntwo\tthree").note == "one\ntwo\tthree"
    with pytest.raises(ValidationError):
        Form(name="a", note="one\u2028two")


def test_names_are_made_inert_for_mail() -> None:
    assert one_line("ACME\r\nBcc: x") == "ACME  Bcc: x"
    text = inert("ACME <a href='https://evil.example/x'>www.evil.example</a> mail evil@example.org")
    assert "https://" not in text
    assert "www.evil" not in text
    assert "evil@example" not in text
    assert "https[:]//evil[.]example/x" in text
    assert inert("Boutique Durand") == "Boutique Durand"
