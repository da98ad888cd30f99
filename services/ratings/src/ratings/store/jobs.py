""" "Check new events" jobs in MongoDB, one document per job with each company's outcome.

A runner claims a running job with a lease (chassis.leases); each outcome is written as soon as it is
known, conditional on the claim still being held, so a job taken over after a crash resumes with the
companies still pending and a late holder writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from chassis.leases import Claim, Leases
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from ratings.domain.checks import CheckJob, CompanyOutcome, JobState
from ratings.ports import NotFound
from ratings.store import codec

JOBS = "check_jobs"
JOB_RETENTION_DAYS = 30
INDEXES: list[IndexSpec] = [ascending(JOBS, "portfolio_id"), ascending(JOBS, "state")]


class MongoJobs:
    def __init__(self, db: MongoDatabase, leases: Leases) -> None:
        self._jobs = db[JOBS]
        self._leases = leases
        self._claims: dict[str, Claim] = {}

    async def add(self, job: CheckJob) -> bool:
        document = {
            "_id": job.job_id,
            "portfolio_id": job.portfolio_id,
            "requested_by": job.requested_by,
            "alert_on_new_event": job.alert_on_new_event,
            "created_at": job.created_at,
            "finished_at": None,
            "state": job.state.value,
            "outcomes": [codec.outcome_doc(o) for o in job.outcomes],
            "lease": None,
            "version": 0,
        }
        try:
            await self._jobs.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, job_id: str) -> CheckJob:
        document = await self._jobs.find_one({"_id": job_id})
        if document is None:
            raise NotFound("check", job_id)
        return codec.job_of(document)

    async def running_for(self, portfolio_id: str) -> CheckJob | None:
        document = await self._jobs.find_one({"portfolio_id": portfolio_id, "state": JobState.RUNNING.value})
        return codec.job_of(document) if document else None

    async def claim(self) -> CheckJob | None:
        claim = await self._leases.claim({"state": JobState.RUNNING.value}, sort=[("created_at", 1)])
        if claim is None:
            return None
        self._claims[str(claim.id)] = claim
        return codec.job_of(claim.document)

    async def record(self, job: CheckJob, outcomes: Sequence[tuple[int, CompanyOutcome]]) -> bool:
        claim = self._claims.get(job.job_id)
        if claim is None:
            return False
        fields = {f"outcomes.{index}": codec.outcome_doc(outcome) for index, outcome in outcomes}
        result = await self._jobs.update_one(self._leases.held(claim), {"$set": fields})
        return result.matched_count == 1

    async def finish(self, job: CheckJob) -> bool:
        claim = self._claims.pop(job.job_id, None)
        if claim is None:
            return False
        finished = job.finished_at or self._leases.clock.now()
        return await self._leases.complete(
            claim,
            {
                "$set": {
                    "state": JobState.DONE.value,
                    "finished_at": finished,
                    "outcomes": [codec.outcome_doc(o) for o in job.outcomes],
                    "expires_at": finished + timedelta(days=JOB_RETENTION_DAYS),
                }
            },
        )

    async def release(self, job_id: str) -> None:
        claim = self._claims.pop(job_id, None)
        if claim is not None:
            await self._leases.release(claim)
