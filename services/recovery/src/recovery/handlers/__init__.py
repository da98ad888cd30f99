"""Recovery's use cases, one module each, all one shape: take a command, load the case through the
store port, decide in the domain, save the new case with its events in one write.

`dispatch` routes a command to its handler, for the entrypoints (API routes, bus subscribers, the
deadline sweeper).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, overload

from recovery.domain.cases import Case, GeneratedDocument
from recovery.handlers import (
    accept_case,
    advance_due_deadlines,
    assign_case,
    debtor_space,
    file_case,
    generate_injunction,
    record_agreement,
    record_debtor_answer,
    record_payment,
    refuse_case,
    start_amicable,
    withdraw,
)
from recovery.handlers.accept_case import AcceptCase
from recovery.handlers.advance_due_deadlines import AdvanceDueDeadlines
from recovery.handlers.assign_case import AssignCase
from recovery.handlers.debtor_space import AnswerAsDebtor, ViewAsDebtor
from recovery.handlers.file_case import FileCase
from recovery.handlers.generate_injunction import GenerateInjunctionRequest
from recovery.handlers.record_agreement import RecordAgreement
from recovery.handlers.record_debtor_answer import RecordDebtorAnswer
from recovery.handlers.record_payment import RecordPayment
from recovery.handlers.refuse_case import RefuseCase
from recovery.handlers.start_amicable import StartAmicable
from recovery.handlers.withdraw import Withdraw
from recovery.ports import RecoveryPorts

# The commands whose handler answers the case as it is after the command.
CaseCommand = (
    FileCase
    | AssignCase
    | AcceptCase
    | RefuseCase
    | StartAmicable
    | RecordDebtorAnswer
    | RecordPayment
    | RecordAgreement
    | Withdraw
    | ViewAsDebtor
    | AnswerAsDebtor
)
Command = CaseCommand | AdvanceDueDeadlines | GenerateInjunctionRequest
Result = Case | GeneratedDocument | None

# Each handler takes its own command type (hence Any for the argument); `dispatch` says what it answers.
HANDLERS: dict[type[Any], Callable[[Any, RecoveryPorts], Awaitable[Result]]] = {
    FileCase: file_case.handle,
    AssignCase: assign_case.handle,
    AcceptCase: accept_case.handle,
    RefuseCase: refuse_case.handle,
    StartAmicable: start_amicable.handle,
    AdvanceDueDeadlines: advance_due_deadlines.handle,
    RecordDebtorAnswer: record_debtor_answer.handle,
    RecordPayment: record_payment.handle,
    RecordAgreement: record_agreement.handle,
    Withdraw: withdraw.handle,
    ViewAsDebtor: debtor_space.view,
    AnswerAsDebtor: debtor_space.answer,
    GenerateInjunctionRequest: generate_injunction.handle,
}


@overload
async def dispatch(command: CaseCommand, ports: RecoveryPorts) -> Case: ...
@overload
async def dispatch(command: AdvanceDueDeadlines, ports: RecoveryPorts) -> Case | None: ...
@overload
async def dispatch(command: GenerateInjunctionRequest, ports: RecoveryPorts) -> GeneratedDocument: ...
async def dispatch(command: Command, ports: RecoveryPorts) -> Result:
    """The handler's result: the case (None: nothing was due), or the generated document."""
    return await HANDLERS[type(command)](command, ports)


__all__ = [
    "HANDLERS",
    "AcceptCase",
    "AdvanceDueDeadlines",
    "AnswerAsDebtor",
    "AssignCase",
    "CaseCommand",
    "Command",
    "FileCase",
    "GenerateInjunctionRequest",
    "RecordAgreement",
    "RecordDebtorAnswer",
    "RecordPayment",
    "RefuseCase",
    "StartAmicable",
    "ViewAsDebtor",
    "Withdraw",
    "dispatch",
]
