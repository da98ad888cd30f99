"""Courts of appeal, the competent office (least-loaded, refusals skipped), the injunction's court."""

from __future__ import annotations

import pytest

from recovery.adapters.directory import FileDirectory
from recovery.domain.jurisdiction import (
    COURT_OF_APPEAL,
    CourtKind,
    competent_offices,
    court_of_appeal,
    injunction_court,
    next_office,
)
from services.recovery.tests.conftest import METZ_OFFICES

METROPOLITAN = {f"{n:02d}" for n in range(1, 96)} - {"20"} | {"2A", "2B"}
OVERSEAS = {"971", "972", "973", "974", "975", "976", "977", "978"}


def test_the_table_covers_every_department_corsica_and_overseas_included() -> None:
    assert set(COURT_OF_APPEAL) == METROPOLITAN | OVERSEAS
    assert len(METROPOLITAN) == 96
    # the 30 metropolitan courts of appeal, 4 overseas ones and Saint-Pierre's tribunal supérieur d'appel
    assert len({COURT_OF_APPEAL[d] for d in METROPOLITAN}) == 30
    assert len(set(COURT_OF_APPEAL.values())) == 35


@pytest.mark.parametrize(
    ("department", "court"),
    [
        ("57", "Metz"),
        ("67", "Colmar"),
        ("2A", "Bastia"),
        ("2B", "Bastia"),
        ("75", "Paris"),
        ("89", "Paris"),
        ("92", "Versailles"),
        ("976", "Saint-Denis de La Réunion"),
        ("977", "Basse-Terre"),
        ("973", "Cayenne"),
    ],
)
def test_known_districts(department: str, court: str) -> None:
    assert court_of_appeal(department) == court


def test_the_least_loaded_competent_office_comes_first() -> None:
    ranked = competent_offices("57", METZ_OFFICES, {"metz-a": 3, "metz-b": 1})
    assert [o.office_id for o in ranked] == ["thionville-c", "metz-b", "metz-a"]  # Paris is not competent


def test_ties_go_to_the_smaller_office_id_and_refusers_are_skipped() -> None:
    assert next_office("57", METZ_OFFICES, {}) == METZ_OFFICES[0]
    office = next_office("57", METZ_OFFICES, {}, excluded=["metz-a"])
    assert office is not None
    assert office.office_id == "metz-b"
    assert next_office("57", METZ_OFFICES, {}, excluded=["metz-a", "metz-b", "thionville-c"]) is None


def test_no_office_in_the_district_means_none() -> None:
    assert next_office("2A", METZ_OFFICES, {}) is None


def test_the_injunction_goes_to_the_debtors_court_commercial_between_traders() -> None:
    assert injunction_court("75", creditor_is_trader=True, debtor_is_trader=False).kind is CourtKind.JUDICIAL
    commercial = injunction_court("75", creditor_is_trader=True, debtor_is_trader=True)
    assert (commercial.kind, commercial.label_fr) == (CourtKind.COMMERCIAL, "Tribunal de commerce")
    assert injunction_court("57", creditor_is_trader=True, debtor_is_trader=True).label_fr.startswith("Chambre")
    assert injunction_court("974", creditor_is_trader=True, debtor_is_trader=True).label_fr.startswith("Tribunal mixte")


async def test_the_sample_directory_is_sample_data_with_offices_in_every_district(
    sample_directory: FileDirectory,
) -> None:
    districts = set(COURT_OF_APPEAL.values())
    for district in districts:
        offices = await sample_directory.offices_in(district)
        assert len(offices) >= 2, district
        assert all("SAMPLE" in o.name and o.email.endswith("example.invalid") for o in offices)
    metz = await sample_directory.offices_in("Metz")
    assert {o.city for o in metz} == {"Metz", "Thionville"}
    assert await sample_directory.get(metz[0].office_id) == metz[0]
    assert await sample_directory.get("nope") is None
