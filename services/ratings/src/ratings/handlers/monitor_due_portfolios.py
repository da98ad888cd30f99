"""MonitorDuePortfolios: claim one active portfolio whose monitoring is due and start its check.

The claim is a lease (chassis.leases) on the portfolio: two instances never claim the same one, and
a dead instance's claim lapses so another takes it over. The job's id derives from the portfolio and
its last monitoring, so a claim redone after a crash finds the job it already started (no repeat),
and the next monitoring is scheduled only once the job is stored (no skip).
"""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain import checks
from ratings.domain.checks import CheckJob
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class MonitorDuePortfolios:
    pass


def monitoring_job_id(portfolio_id: str, last: str) -> str:
    return f"monitor-{portfolio_id}-{last}"


async def handle(command: MonitorDuePortfolios, ports: RatingsPorts) -> CheckJob | None:
    now = ports.clock.now()
    portfolio = await ports.portfolios.claim_due(now)
    if portfolio is None:
        return None
    try:
        job = await ports.jobs.running_for(portfolio.portfolio_id)
        if job is None:
            last = portfolio.last_monitored_at.isoformat() if portfolio.last_monitored_at else "never"
            job = checks.start(
                monitoring_job_id(portfolio.portfolio_id, last),
                portfolio.portfolio_id,
                portfolio.companies,
                portfolio.owner_id,
                alert_on_new_event=portfolio.alert_on_new_event,
                now=now,
            )
            if not await ports.jobs.add(job):
                job = await ports.jobs.get(job.job_id)
            ports.wake_checks()
        await ports.portfolios.monitoring_scheduled(portfolio.portfolio_id, now + ports.policy.monitoring_cadence)
        return job
    except BaseException:
        await ports.portfolios.release_monitoring(portfolio.portfolio_id)
        raise
