"""The SEPA Core direct-debit batch file (ISO 20022 pain.008), written by `sepaxml`.

sepaxml builds the document (it ships the XSDs); it draws its message id, payment-information ids
and creation time at random and from the host's local time, so this adapter sets them from the
batch (message id = batch id, one payment information per sequence type, `<batch>-FRST` /
`<batch>-RCUR`) and the service's clock, then validates the final bytes against the XSD. The XSD
is compiled once per process and version (`compiled_schema`), not per file: sepaxml's own check
(`export(validate=True)`) compiles it on every call, so it is off, the final check covers the same.
Same inputs, same bytes.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sepaxml
import xmlschema
from sepaxml import SepaDD

from billing.domain.fees import BatchLine, SepaCreditor

SUPPORTED = ("pain.008.001.02", "pain.008.001.08")
SCHEMAS = Path(sepaxml.__file__).parent / "schemas"


def schema_path(schema: str) -> Path:
    return SCHEMAS / f"{schema}.xsd"


@functools.cache
def compiled_schema(schema: str) -> xmlschema.XMLSchema:
    """The XSD of a pain.008 version, compiled once (about a second of work each time otherwise)."""
    return xmlschema.XMLSchema(str(schema_path(schema)))


class Pain008Writer:
    """Renders batch lines as a pain.008 document (the `BatchFileWriter` port)."""

    def __init__(self, creditor: SepaCreditor, schema: str = "pain.008.001.02") -> None:
        if schema not in SUPPORTED:
            raise ValueError(f"pain.008 version {schema} is not one of {', '.join(SUPPORTED)}")
        self.creditor = creditor
        self.schema = schema
        self._xsd = compiled_schema(schema)

    def render(self, lines: Sequence[BatchLine], *, batch_id: str, on: date, created_at: datetime) -> bytes:
        if not lines:
            raise ValueError("a batch file holds at least one collection")
        config: dict[str, Any] = {
            "name": self.creditor.name,
            "IBAN": self.creditor.iban,
            "BIC": self.creditor.bic,
            "batch": True,
            "creditor_id": self.creditor.identifier,
            "currency": "EUR",
            "instrument": "CORE",
        }
        document = SepaDD(config, schema=self.schema, clean=True)
        for line in lines:
            document.add_payment(
                {
                    "name": line.debtor_name,
                    "IBAN": line.debtor_iban,
                    "BIC": line.debtor_bic,
                    "amount": line.amount_cents,  # sepaxml takes integer cents
                    "type": line.sequence,
                    "collection_date": on,
                    "mandate_id": line.mandate_reference,
                    "mandate_date": line.mandate_signed_on,
                    "description": line.description,
                    "endtoend_id": line.end_to_end_id,
                }
            )
        raw: bytes = document.export(validate=False)  # validated once below, on the final bytes
        return self._fix_identifiers(raw, batch_id=batch_id, created_at=created_at)

    def _fix_identifiers(self, raw: bytes, *, batch_id: str, created_at: datetime) -> bytes:
        namespace = f"urn:iso:std:iso:20022:tech:xsd:{self.schema}"
        ns = {"p": namespace}
        ET.register_namespace("", namespace)
        root = ET.fromstring(raw)
        header = root.find("p:CstmrDrctDbtInitn/p:GrpHdr", ns)
        assert header is not None
        _set(header, "p:MsgId", batch_id, ns)
        _set(header, "p:CreDtTm", created_at.strftime("%Y-%m-%dT%H:%M:%S"), ns)
        for info in root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns):
            sequence = info.findtext("p:PmtTpInf/p:SeqTp", default="", namespaces=ns)
            _set(info, "p:PmtInfId", f"{batch_id}-{sequence}", ns)
        body: bytes = ET.tostring(root, encoding="utf-8")
        out = b'<?xml version="1.0" encoding="UTF-8"?>' + body
        self._xsd.validate(out.decode())
        return out


def _set(parent: ET.Element, path: str, text: str, ns: dict[str, str]) -> None:
    element = parent.find(path, ns)
    assert element is not None, path
    element.text = text
