"""CompanyHistory: a company's national score and credit limit as chart series, by month, quarter
or year; a group shows its last month or the mean, never a sum (`domain.history`)."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain.companies import CompanyId
from ratings.domain.history import Aggregate, Period, SeriesPoint, series
from ratings.handlers import open_credit_file
from ratings.ports import CompanyRecord, RatingsPorts


@dataclass(frozen=True)
class CompanyHistory:
    account_id: str
    company: CompanyId
    period: Period = Period.MONTH
    aggregate: Aggregate = Aggregate.LAST


@dataclass(frozen=True)
class Charts:
    record: CompanyRecord
    national_score: list[SeriesPoint]
    credit_limit_cents: list[SeriesPoint]


async def handle(command: CompanyHistory, ports: RatingsPorts) -> Charts:
    record = await open_credit_file.handle(open_credit_file.OpenCreditFile(command.account_id, command.company), ports)
    return Charts(
        record,
        series(record.history, measure="national_score", period=command.period, aggregate=command.aggregate),
        series(record.history, measure="credit_limit_cents", period=command.period, aggregate=command.aggregate),
    )
