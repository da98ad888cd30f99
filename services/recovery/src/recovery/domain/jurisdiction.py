"""Territorial competence: courts of appeal, the competent commissaire, the injunction's court.

The commissaire de justice competent for the simplified procedure is one whose office lies in the
court-of-appeal district of the debtor's domicile or residence (CPCE R125-1). Among the competent
offices the case goes to the least-loaded one (fewest open cases, then the office id, so the choice is
deterministic); an office that refuses is not asked again for that case; with none left the case goes
back to the creditor with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# Department -> seat of its court of appeal.
# Source: Code de l'organisation judiciaire, Tableau IV annexé à l'article D311-1 ("Siège et ressort des
# cours d'appel"), as in force in 2026 (Légifrance). Mayotte (976) lies in the district of the court of
# appeal of Saint-Denis (La Réunion), served by its chambre d'appel at Mamoudzou; Saint-Pierre-et-Miquelon
# (975) has a tribunal supérieur d'appel acting as its court of appeal (COJ L513-1). Saint-Barthélemy (977)
# and Saint-Martin (978), whose postcodes start with 971, lie in the district of Basse-Terre.
COURT_OF_APPEAL: Mapping[str, str] = {
    **dict.fromkeys(("32", "46", "47"), "Agen"),
    **dict.fromkeys(("04", "06", "13", "83"), "Aix-en-Provence"),
    **dict.fromkeys(("02", "60", "80"), "Amiens"),
    **dict.fromkeys(("49", "53", "72"), "Angers"),
    **dict.fromkeys(("2A", "2B"), "Bastia"),
    **dict.fromkeys(("25", "39", "70", "90"), "Besançon"),
    **dict.fromkeys(("16", "24", "33"), "Bordeaux"),
    **dict.fromkeys(("18", "36", "58"), "Bourges"),
    **dict.fromkeys(("14", "50", "61"), "Caen"),
    **dict.fromkeys(("73", "74"), "Chambéry"),
    **dict.fromkeys(("67", "68"), "Colmar"),
    **dict.fromkeys(("21", "52", "71"), "Dijon"),
    **dict.fromkeys(("59", "62"), "Douai"),
    **dict.fromkeys(("05", "26", "38"), "Grenoble"),
    **dict.fromkeys(("19", "23", "87"), "Limoges"),
    **dict.fromkeys(("01", "42", "69"), "Lyon"),
    **dict.fromkeys(("57",), "Metz"),
    **dict.fromkeys(("11", "12", "34", "66"), "Montpellier"),
    **dict.fromkeys(("54", "55", "88"), "Nancy"),
    **dict.fromkeys(("07", "30", "48", "84"), "Nîmes"),
    **dict.fromkeys(("37", "41", "45"), "Orléans"),
    **dict.fromkeys(("75", "77", "89", "91", "93", "94"), "Paris"),
    **dict.fromkeys(("40", "64", "65"), "Pau"),
    **dict.fromkeys(("17", "79", "85", "86"), "Poitiers"),
    **dict.fromkeys(("08", "10", "51"), "Reims"),
    **dict.fromkeys(("22", "29", "35", "44", "56"), "Rennes"),
    **dict.fromkeys(("03", "15", "43", "63"), "Riom"),
    **dict.fromkeys(("27", "76"), "Rouen"),
    **dict.fromkeys(("09", "31", "81", "82"), "Toulouse"),
    **dict.fromkeys(("28", "78", "92", "95"), "Versailles"),
    "971": "Basse-Terre",
    "972": "Fort-de-France",
    "973": "Cayenne",
    "974": "Saint-Denis de La Réunion",
    "975": "Saint-Pierre (tribunal supérieur d'appel)",
    "976": "Saint-Denis de La Réunion",
    "977": "Basse-Terre",
    "978": "Basse-Terre",
}

ALSACE_MOSELLE = frozenset({"57", "67", "68"})


def court_of_appeal(department: str) -> str:
    """The court of appeal whose district holds the department; KeyError for an unknown department."""
    return COURT_OF_APPEAL[department]


@dataclass(frozen=True)
class Office:
    """A commissaire de justice's office, as the directory lists it."""

    office_id: str
    name: str  # the office, e.g. "SELARL Martin & Associés"
    commissaire: str  # the commissaire who signs, e.g. "Maître Jeanne Martin"
    line1: str
    postcode: str
    city: str
    department: str
    email: str = ""

    @property
    def court_of_appeal(self) -> str:
        return court_of_appeal(self.department)


def competent_offices(
    department: str,
    offices: Iterable[Office],
    open_cases: Mapping[str, int],
    excluded: Iterable[str] = (),
) -> list[Office]:
    """The offices competent for a debtor living in `department`, least-loaded first, without the
    `excluded` ones (those that already refused the case). Ties go to the smaller office id."""
    district = court_of_appeal(department)
    skip = set(excluded)
    competent = [o for o in offices if o.court_of_appeal == district and o.office_id not in skip]
    return sorted(competent, key=lambda o: (open_cases.get(o.office_id, 0), o.office_id))


def next_office(
    department: str,
    offices: Iterable[Office],
    open_cases: Mapping[str, int],
    excluded: Iterable[str] = (),
) -> Office | None:
    """The office the case goes to next, or None when no competent office is left."""
    ranked = competent_offices(department, offices, open_cases, excluded)
    return ranked[0] if ranked else None


class CourtKind(StrEnum):
    JUDICIAL = "judicial"  # tribunal judiciaire
    COMMERCIAL = "commercial"  # tribunal de commerce, or its equivalent where there is none


@dataclass(frozen=True)
class InjunctionCourt:
    kind: CourtKind
    department: str
    label_fr: str


def injunction_court(debtor_department: str, *, creditor_is_trader: bool, debtor_is_trader: bool) -> InjunctionCourt:
    """The court an injunction-to-pay request goes to (CPC 1405-1406): the court of the debtor's
    domicile; the commercial court for a claim between traders. Alsace-Moselle has no tribunal de
    commerce (the tribunal judiciaire's commercial chamber judges), the overseas departments have
    mixed commercial courts (tribunaux mixtes de commerce)."""
    if creditor_is_trader and debtor_is_trader:
        if debtor_department in ALSACE_MOSELLE:
            label = "Chambre commerciale du tribunal judiciaire"
        elif debtor_department.startswith("97"):
            label = "Tribunal mixte de commerce"
        else:
            label = "Tribunal de commerce"
        return InjunctionCourt(CourtKind.COMMERCIAL, debtor_department, label)
    return InjunctionCourt(CourtKind.JUDICIAL, debtor_department, "Tribunal judiciaire")
