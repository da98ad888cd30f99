""" "Check new events" for a whole portfolio, as a job a client polls.

The job is the list of the portfolio's companies, each with its outcome once
checked. It is stored after each company, so a restart resumes with the
companies still pending and never loses a result; the handler claims the job
with the chassis lease, so two instances never check the same job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ratings.domain.companies import CompanyId


class Outcome(StrEnum):
    PENDING = "pending"
    UNCHANGED = "unchanged"
    NEW_EVENTS = "new_events"
    FAILED = "failed"


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class CompanyOutcome:
    company: CompanyId
    outcome: Outcome = Outcome.PENDING
    detail: str = ""  # why it failed, or which fields changed


@dataclass(frozen=True)
class CheckJob:
    job_id: str
    portfolio_id: str
    requested_by: str
    alert_on_new_event: bool
    created_at: datetime
    outcomes: tuple[CompanyOutcome, ...]
    finished_at: datetime | None = None
    version: int = 0

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def done(self) -> int:
        return sum(1 for o in self.outcomes if o.outcome is not Outcome.PENDING)

    @property
    def state(self) -> JobState:
        return JobState.DONE if self.done == self.total else JobState.RUNNING

    @property
    def pending(self) -> tuple[CompanyId, ...]:
        return tuple(o.company for o in self.outcomes if o.outcome is Outcome.PENDING)

    def counts(self) -> dict[str, int]:
        result = {outcome.value: 0 for outcome in Outcome}
        for o in self.outcomes:
            result[o.outcome.value] += 1
        return result


def start(
    job_id: str,
    portfolio_id: str,
    companies: tuple[CompanyId, ...],
    requested_by: str,
    *,
    alert_on_new_event: bool,
    now: datetime,
) -> CheckJob:
    return CheckJob(
        job_id, portfolio_id, requested_by, alert_on_new_event, now, tuple(CompanyOutcome(c) for c in companies)
    )


def record(job: CheckJob, company: CompanyId, outcome: Outcome, detail: str = "", *, now: datetime) -> CheckJob:
    """The job with one company's outcome; recording a company twice keeps the first result (a
    resumed job may check again a company whose result was stored just before a crash)."""
    if outcome is Outcome.PENDING:
        raise ValueError("an outcome is recorded once the company is checked")
    outcomes = []
    for o in job.outcomes:
        if o.company == company and o.outcome is Outcome.PENDING:
            outcomes.append(replace(o, outcome=outcome, detail=detail))
        else:
            outcomes.append(o)
    updated = replace(job, outcomes=tuple(outcomes))
    if updated.state is JobState.DONE and updated.finished_at is None:
        updated = replace(updated, finished_at=now)
    return updated
