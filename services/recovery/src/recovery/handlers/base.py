"""What every handler shares: save a decision over the version it was taken on, with the fees its
events incur (one write: the case, its events, its fees, its mail)."""

from __future__ import annotations

from collections.abc import Sequence

from recovery.domain.cases import Case, Decision
from recovery.domain.fees import with_fees
from recovery.ports import Mail, RecoveryPorts


async def save(ports: RecoveryPorts, loaded: Case, decision: Decision, mails: Sequence[Mail] = ()) -> Case:
    """Write the decided case with its events (and the fees they incur), over the version that was
    loaded. A decision with no event (a command repeated) writes nothing."""
    if decision.events:
        events = with_fees(decision.events, ports.policy.fees, decision.case.creditor.company_id)
        await ports.cases.save(decision.case, events, expected_version=loaded.version, mails=mails)
    return decision.case


async def add(ports: RecoveryPorts, decision: Decision, mails: Sequence[Mail] = ()) -> Case:
    """Store a new case with its events and fees."""
    events = with_fees(decision.events, ports.policy.fees, decision.case.creditor.company_id)
    await ports.cases.add(decision.case, events, mails)
    return decision.case
