"""The six rights an admin grants to a company's members, and their constraints.

Source 004 (a bank's business portal): each right is a named permission with a
detail; two apply only to some kinds of contract (funds: CLUB; early buy-out:
CBM or LOCFI), and two need a proof of power before they may be granted
(bank-details change, early buy-out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from contracts.events.teams import RIGHT_CONTRACT_KINDS, ContractKind, Right


@dataclass(frozen=True)
class RightDefinition:
    right: Right
    number: int  # as DOMAIN.md numbers them
    title: str
    detail: str
    contract_kinds: frozenset[ContractKind] | None  # None: every kind of contract
    needs_proof_of_power: bool


CATALOGUE: tuple[RightDefinition, ...] = (
    RightDefinition(
        Right.VIEW_FINANCIAL_DOCUMENTS,
        1,
        "Access the company's financial and documentary information",
        "Download contract documents and amortisation tables; request duplicates "
        "(billed 50 EUR unless the company has an Enterprise subscription).",
        None,
        False,
    ),
    RightDefinition(
        Right.MANAGE_FUNDS,
        2,
        "Fund-management operations",
        "Waive an unused credit line, request a disbursement, request early repayment and its statement. "
        "CLUB contracts only.",
        RIGHT_CONTRACT_KINDS[Right.MANAGE_FUNDS],
        False,
    ),
    RightDefinition(
        Right.HANDLE_COMPANY_REQUESTS,
        3,
        "Follow, complete and submit company requests",
        "Requests started by other users (new contracts, access to other products, amendments); "
        "send supporting documents and review draft documentation.",
        None,
        False,
    ),
    RightDefinition(
        Right.ACCESS_TREASURY,
        4,
        "Access the treasury-tracking service",
        "Including the subscription-only features when the company subscribes.",
        None,
        False,
    ),
    RightDefinition(
        Right.CHANGE_BANK_DETAILS,
        5,
        "Change the company's bank details (RIB)",
        "Subject to a recorded proof of power.",
        None,
        True,
    ),
    RightDefinition(
        Right.REQUEST_EARLY_BUYOUT,
        6,
        "Request an early buy-out",
        "Early purchase option of a lease (CBM) or termination with sale of the equipment of a financial "
        "lease (LOCFI). CBM or LOCFI equipment contracts only; subject to a recorded proof of power.",
        RIGHT_CONTRACT_KINDS[Right.REQUEST_EARLY_BUYOUT],
        True,
    ),
)
BY_RIGHT: dict[Right, RightDefinition] = {d.right: d for d in CATALOGUE}
ALL_RIGHTS: tuple[Right, ...] = tuple(sorted(BY_RIGHT))
NEEDS_PROOF_OF_POWER: frozenset[Right] = frozenset(d.right for d in CATALOGUE if d.needs_proof_of_power)


class ProofKind(StrEnum):
    """Documents that show a person may act for the company."""

    DELEGATION_OF_POWER = "delegation_of_power"  # délégation de pouvoir signed by the legal representative
    ARTICLES_OF_ASSOCIATION = "articles_of_association"  # statuts naming the person
    BOARD_RESOLUTION = "board_resolution"
    POWER_OF_ATTORNEY = "power_of_attorney"


@dataclass(frozen=True)
class ProofOfPower:
    """A proof of power as recorded by an admin: what document, which reference, when issued."""

    kind: ProofKind
    reference: str
    issued_on: date
    recorded_by: str
    recorded_at: datetime


def normalised(rights: Iterable[Right]) -> tuple[Right, ...]:
    """Sorted and without duplicates, as MemberRightsChanged carries them."""
    return tuple(sorted(set(rights)))


def grant_problems(rights: Iterable[Right], proof_of_power: ProofOfPower | None, today: date) -> list[str]:
    """Why these rights may not be granted to a member, if they may not."""
    problems = []
    if proof_of_power is not None and proof_of_power.issued_on > today:
        problems.append("the proof of power cannot be issued in the future")
    needing = sorted(set(rights) & NEEDS_PROOF_OF_POWER)
    if needing and proof_of_power is None:
        names = ", ".join(f"'{r}'" for r in needing)
        problems.append(f"{names} can only be granted with a recorded proof of power")
    return problems
