"""GenerateInjunctionRequest: the creditor generates the injunction-to-pay request (CPC 1405 ff.)
once the injunction is available: before the court of the debtor's domicile (the commercial court
between traders), prefilled with the parties, amounts and documents; stored immutable and recorded
on the case. Asked again, the same document is returned (generated and billed once)."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.domain import cases, jurisdiction
from recovery.domain.cases import Actor, ActorKind, Case, GeneratedDocument, IllegalTransition, NotYourCase, Phase
from recovery.handlers import paper
from recovery.handlers.base import save
from recovery.ports import DocumentKind, RecoveryPorts


def injunction_request_id(case_id: str) -> str:
    return f"{case_id}.injunction-request"


@dataclass(frozen=True)
class GenerateInjunctionRequest:
    case_id: str
    creditor_id: str  # the caller (the entrypoint checks it may act for the creditor)


async def handle(command: GenerateInjunctionRequest, ports: RecoveryPorts) -> GeneratedDocument:
    case = await ports.cases.get(command.case_id)
    if case.creditor.account_id != command.creditor_id:
        raise NotYourCase(f"case {case.case_id} is not yours")
    existing = case.generated_of(DocumentKind.INJUNCTION_REQUEST.value)
    if existing is not None:
        return existing
    if case.phase is not Phase.INJUNCTION_AVAILABLE:
        raise IllegalTransition("generate the injunction request of", case.phase)
    now = ports.clock.now()
    debtor = case.claim.debtor
    court = jurisdiction.injunction_court(
        debtor.address.department, creditor_is_trader=case.creditor.trader, debtor_is_trader=debtor.trader
    )
    letter_id = injunction_request_id(case.case_id)
    document = await paper.generate(ports, DocumentKind.INJUNCTION_REQUEST, case, letter_id, now, court=court.label_fr)
    actor = Actor(ActorKind.CREDITOR, command.creditor_id)
    saved: Case = await save(ports, case, cases.record_injunction_request(case, document, actor, now))
    recorded = saved.generated_of(DocumentKind.INJUNCTION_REQUEST.value)
    assert recorded is not None
    return recorded
