"""What every handler shares: save a decision over the version it was taken on."""

from __future__ import annotations

from recovery.domain.cases import Case, Decision
from recovery.ports import RecoveryPorts


async def save(ports: RecoveryPorts, loaded: Case, decision: Decision) -> Case:
    """Write the decided case with its events, over the version that was loaded. A decision with no
    event (a command repeated) writes nothing."""
    if decision.events:
        await ports.cases.save(decision.case, decision.events, expected_version=loaded.version)
    return decision.case
