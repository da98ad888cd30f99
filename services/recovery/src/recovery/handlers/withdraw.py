"""Withdraw: the creditor withdraws the case at any open phase."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases
from recovery.domain.cases import Actor, Case
from recovery.handlers.base import save
from recovery.ports import RecoveryPorts


@dataclass(frozen=True)
class Withdraw:
    case_id: str
    actor: Actor  # the creditor (the entrypoint checks that the caller may act for it)
    reason: str = ""


async def handle(command: Withdraw, ports: RecoveryPorts) -> Case:
    case = await ports.cases.get(command.case_id)
    return await save(ports, case, cases.withdraw(case, command.actor, ports.clock.now(), command.reason))
