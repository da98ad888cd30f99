"""SEPA batch files of recovery's fees, for support and operators: produce the next one (or a
date's), list them, see the fees each holds, download the pain.008 file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from billing.api import problems as p
from billing.api.deps import FeesDep
from billing.domain.bank import mask_iban
from billing.domain.fees import SepaBatch
from billing.handlers.sepa_batches import produce_batch, produced_batch, produced_batches, require_batch_role
from chassis.auth import Caller, CurrentCaller
from chassis.openapi import problems

router = APIRouter(prefix="/sepa/batches", tags=["sepa"])
BatchId = Annotated[str, Path(pattern=r"^CDFEES-\d{8}$", description="CDFEES-YYYYMMDD: one batch per date")]


def batch_caller(caller: CurrentCaller, fees: FeesDep) -> Caller:
    require_batch_role(fees, caller)
    return caller


BatchCaller = Annotated[Caller, Depends(batch_caller)]
ERRORS = (*p.AUTH, p.BATCH_ROLE)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}, {"collection_date": "2026-12-16"}]})
    collection_date: date | None = Field(
        default=None,
        description="The collections due by this date (today or later); default: the next batch "
        "(the earliest date with a scheduled collection).",
    )


FEE_EXAMPLE: dict[str, Any] = {
    "fee_id": "8f14e45fceea167a5a36dedd4bea2543:filing",
    "case_id": "8f14e45fceea167a5a36dedd4bea2543",
    "creditor_id": "3f6a0c1e9b2d4e7f8a1b2c3d4e5f6a7b",
    "step": "filing",
    "amount_cents": 1500,
    "incurred_at": "2026-12-02T09:00:00Z",
}
LINE_EXAMPLE: dict[str, Any] = {
    "collection_id": "CDFEES-20261216-0001",
    "creditor_id": "3f6a0c1e9b2d4e7f8a1b2c3d4e5f6a7b",
    "sequence": "FRST",
    "amount_cents": 1500,
    "mandate_reference": "CD-MANDATE-3F6A0C1E",
    "mandate_signed_on": "2026-11-20",
    "debtor_name": "Boulangerie Martin SARL",
    "debtor_iban": "FR76****************0189",
    "fee_ids": ["8f14e45fceea167a5a36dedd4bea2543:filing"],
}


class BatchFeePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [FEE_EXAMPLE]})

    fee_id: str
    case_id: str
    creditor_id: str
    step: str
    amount_cents: int
    incurred_at: datetime


class BatchLinePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [LINE_EXAMPLE]})

    collection_id: str = Field(description="The transaction's end-to-end id")
    creditor_id: str
    sequence: str = Field(description="FRST (first collection under the mandate) or RCUR")
    amount_cents: int
    mandate_reference: str
    mandate_signed_on: date
    debtor_name: str
    debtor_iban: str = Field(description="Masked")
    fee_ids: list[str]


class BatchPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "batch_id": "CDFEES-20261216",
                    "collection_date": "2026-12-16",
                    "created_at": "2026-12-02T09:00:00Z",
                    "schema_version": "pain.008.001.02",
                    "transactions": 1,
                    "amount_cents": 1500,
                    "collections": [LINE_EXAMPLE],
                    "fees": [FEE_EXAMPLE],
                    "file_url": "/api/billing/sepa/batches/CDFEES-20261216/file",
                }
            ]
        }
    )

    batch_id: str
    collection_date: date
    created_at: datetime
    schema_version: str = Field(description="pain.008 version of the file")
    transactions: int
    amount_cents: int
    collections: list[BatchLinePublic]
    fees: list[BatchFeePublic]
    file_url: str

    @classmethod
    def of(cls, batch: SepaBatch) -> BatchPublic:
        return cls(
            batch_id=batch.batch_id,
            collection_date=batch.collection_on,
            created_at=batch.created_at,
            schema_version=batch.schema,
            transactions=len(batch.lines),
            amount_cents=batch.amount_cents,
            collections=[
                BatchLinePublic(
                    collection_id=line.end_to_end_id,
                    creditor_id=line.creditor_id,
                    sequence=line.sequence,
                    amount_cents=line.amount_cents,
                    mandate_reference=line.mandate_reference,
                    mandate_signed_on=line.mandate_signed_on,
                    debtor_name=line.debtor_name,
                    debtor_iban=line.debtor_iban if "*" in line.debtor_iban else mask_iban(line.debtor_iban),
                    fee_ids=list(line.fee_ids),
                )
                for line in batch.lines
            ],
            fees=[
                BatchFeePublic(
                    fee_id=fee.fee_id,
                    case_id=fee.case_id,
                    creditor_id=fee.creditor_id,
                    step=fee.step,
                    amount_cents=fee.amount_cents,
                    incurred_at=fee.incurred_at,
                )
                for fee in batch.fees
            ],
            file_url=f"/api/billing/sepa/batches/{batch.batch_id}/file",
        )


@router.post(
    "",
    operation_id="produce_sepa_batch",
    response_model=BatchPublic,
    status_code=201,
    responses={
        200: {"description": "The batch of that date was produced already: the same one, unchanged"},
        **problems(*ERRORS, p.NOTHING_TO_COLLECT, p.BATCH_BEING_PRODUCED, p.BATCH_DATE),
    },
)
async def produce(body: BatchIn, caller: BatchCaller, fees: FeesDep, response: Response) -> BatchPublic:
    """Produce the SEPA Core batch file (pain.008) of the collections due by the date (default: the
    next batch). Pending fees are planned first. Producing a date's batch again returns the stored
    one (same file, 200): a collection is in one batch only."""
    produced = await produce_batch(fees, body.collection_date)
    if not produced.created:
        response.status_code = 200
    return BatchPublic.of(produced.batch)


@router.get("", operation_id="list_sepa_batches", response_model=list[BatchPublic], responses=problems(*ERRORS))
async def list_batches(caller: BatchCaller, fees: FeesDep) -> list[BatchPublic]:
    """The batch files produced, latest collection date first (at most 100)."""
    return [BatchPublic.of(batch) for batch in await produced_batches(fees, 100)]


@router.get(
    "/{batch_id}",
    operation_id="get_sepa_batch",
    response_model=BatchPublic,
    responses=problems(*ERRORS, p.BATCH_NOT_FOUND),
)
async def get_batch(batch_id: BatchId, caller: BatchCaller, fees: FeesDep) -> BatchPublic:
    """A batch: its collections (FRST/RCUR, mandate, amount) and the fees it holds."""
    return BatchPublic.of(await produced_batch(fees, batch_id))


@router.get(
    "/{batch_id}/file",
    operation_id="download_sepa_batch_file",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "The pain.008 document"},
        **problems(*ERRORS, p.BATCH_NOT_FOUND),
    },
)
async def download(batch_id: BatchId, caller: BatchCaller, fees: FeesDep) -> Response:
    """The batch's pain.008 file, for the bank."""
    batch = await produced_batch(fees, batch_id)
    return Response(
        content=batch.xml,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{batch.batch_id}.xml"'},
    )
