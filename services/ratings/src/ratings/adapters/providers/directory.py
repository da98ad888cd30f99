"""The local provider's company directory: generated, deterministic, many countries.

Every number is valid for its register as the domain checks it
(`CompanyId.parse`: python-stdnum's check digits where it knows the country),
so a company found here can be watched, exported and imported again. The same
`companies_per_country` always gives the same companies, names and ids.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ratings.domain.companies import Address, Company, CompanyId
from ratings.domain.errors import RuleViolations


@dataclass(frozen=True)
class CountryProfile:
    code: str
    currency: str
    legal_forms: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (postcode, city)
    streets: tuple[str, ...]
    # A candidate body, then the check characters tried until the domain accepts one.
    body: Callable[[random.Random], str]
    checks: str | Sequence[str] = ""


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _two_digits() -> list[str]:
    return [f"{n:02d}" for n in range(100)]


COUNTRIES: tuple[CountryProfile, ...] = (
    CountryProfile(
        "FR",
        "EUR",
        ("SAS", "SARL", "SA", "SASU"),
        (("75008", "Paris"), ("69002", "Lyon"), ("13001", "Marseille"), ("33000", "Bordeaux"), ("59000", "Lille")),
        ("rue de la République", "avenue Victor Hugo", "boulevard Haussmann", "rue des Lilas"),
        lambda rng: str(rng.randint(1, 9)) + _digits(rng, 7),
        "0123456789",
    ),
    CountryProfile(
        "GB",
        "GBP",
        ("Ltd", "PLC", "LLP"),
        (("EC2A 4NE", "London"), ("M1 1AE", "Manchester"), ("B1 1BB", "Birmingham"), ("LS1 4AP", "Leeds")),
        ("High Street", "Station Road", "Church Lane", "King Street"),
        lambda rng: "0" + _digits(rng, 7) if rng.random() < 0.85 else "SC" + _digits(rng, 6),
    ),
    CountryProfile(
        "DE",
        "EUR",
        ("GmbH", "AG", "KG"),
        (("10115", "Berlin"), ("80331", "München"), ("20095", "Hamburg"), ("50667", "Köln")),
        ("Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Gartenweg"),
        lambda rng: rng.choice(("HRB", "HRA")) + str(rng.randint(1000, 299999)),
    ),
    CountryProfile(
        "BE",
        "EUR",
        ("SRL", "SA", "BV", "NV"),
        (("1000", "Bruxelles"), ("2000", "Antwerpen"), ("4000", "Liège"), ("9000", "Gent")),
        ("rue Neuve", "Meir", "avenue Louise", "Veldstraat"),
        lambda rng: "0" + str(rng.randint(2, 9)) + _digits(rng, 6),
        _two_digits(),
    ),
    CountryProfile(
        "ES",
        "EUR",
        ("SL", "SA"),
        (("28001", "Madrid"), ("08001", "Barcelona"), ("46001", "Valencia"), ("41001", "Sevilla")),
        ("Calle Mayor", "Gran Vía", "Calle del Sol", "Paseo de Gracia"),
        lambda rng: rng.choice("ABCDEFGHJ") + _digits(rng, 7),
        "0123456789ABCDEFGHIJ",
    ),
    CountryProfile(
        "IT",
        "EUR",
        ("S.r.l.", "S.p.A."),
        (("00184", "Roma"), ("20121", "Milano"), ("10121", "Torino"), ("80121", "Napoli")),
        ("Via Roma", "Corso Italia", "Via Garibaldi", "Via Dante"),
        lambda rng: _digits(rng, 7) + f"{rng.randint(1, 99):03d}",
        "0123456789",
    ),
    CountryProfile(
        "NL",
        "EUR",
        ("B.V.", "N.V."),
        (("1012 AB", "Amsterdam"), ("3011 AD", "Rotterdam"), ("2511 BT", "Den Haag"), ("3511 AX", "Utrecht")),
        ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg"),
        lambda rng: str(rng.randint(1, 9)) + _digits(rng, 7),
    ),
    CountryProfile(
        "LU",
        "EUR",
        ("S.à r.l.", "S.A."),
        (("L-1011", "Luxembourg"), ("L-4002", "Esch-sur-Alzette"), ("L-9001", "Ettelbruck")),
        ("Grand-Rue", "rue de la Gare", "avenue de la Liberté"),
        lambda rng: str(rng.randint(1, 9)) + _digits(rng, 5),
        _two_digits(),
    ),
    CountryProfile(
        "PT",
        "EUR",
        ("Lda", "S.A."),
        (("1100-148", "Lisboa"), ("4000-322", "Porto"), ("3000-150", "Coimbra")),
        ("Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina"),
        lambda rng: "5" + _digits(rng, 7),
        "0123456789",
    ),
    CountryProfile(
        "CH",
        "CHF",
        ("AG", "SA", "GmbH"),
        (("8001", "Zürich"), ("1201", "Genève"), ("3011", "Bern"), ("4051", "Basel")),
        ("Bahnhofstrasse", "Rue du Rhône", "Marktgasse"),
        lambda rng: "CHE" + str(rng.randint(1, 9)) + _digits(rng, 7),
        "0123456789",
    ),
)
PROFILES = {profile.code: profile for profile in COUNTRIES}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "Atlas Azur Boréal Cobalt Delta Éole Flux Granit Helios Iris Jade Kairos Lumen Mistral Nova Orion Pixel "
    "Quartz Rubis Sirius Titan Ultra Vega Zenith Alpine Baltic Cedar Dune Ember Fjord Harbor Indigo Juniper "
    "Krypton Lotus Meridian Nimbus Onyx Prism"
)
_SECOND = _words(
    "Industries Logistique Conseil Solutions Bâtiment Transports Énergie Distribution Technologies Services "
    "Agroalimentaire Pharma Textile Mécanique Finance Médias Immobilier Robotique Emballages Métallurgie"
)


def fold(text: str) -> str:
    """Lower case without accents: how names are compared in a search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def connect_id(company: CompanyId) -> str:
    """The provider's id of a company, in Creditsafe's connectId shape (`FR-X-…`)."""
    return f"{company.country}-X-{company.number}"


def _number(profile: CountryProfile, rng: random.Random) -> CompanyId:
    while True:
        body = profile.body(rng)
        for check in profile.checks or [""]:
            try:
                return CompanyId.parse(profile.code, body + check)
            except RuleViolations:
                continue


class Directory:
    """`companies_per_country` companies in each country of COUNTRIES, by id and searchable."""

    def __init__(self, companies_per_country: int = 100) -> None:
        self._companies: dict[CompanyId, Company] = {}
        for profile in COUNTRIES:
            rng = random.Random(f"directory:{profile.code}")
            names: set[str] = set()
            count = 0
            while count < companies_per_country:
                company_id = _number(profile, rng)
                if company_id in self._companies:
                    continue
                count += 1
                name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(profile.legal_forms)}"
                if name in names:
                    name = f"{name} {len(names)}"
                names.add(name)
                postcode, city = rng.choice(profile.cities)
                street = f"{rng.randint(1, 180)} {rng.choice(profile.streets)}"
                address = Address((street,), postcode, city, profile.code)
                self._companies[company_id] = Company(company_id, name, address, connect_id(company_id))

    def __iter__(self) -> Iterator[Company]:
        return iter(self._companies.values())

    def __len__(self) -> int:
        return len(self._companies)

    def get(self, company: CompanyId) -> Company | None:
        return self._companies.get(company)

    def by_provider_id(self, provider_id: str) -> Company | None:
        country, _, number = provider_id.partition("-X-")
        return self._companies.get(CompanyId(country, number))

    def in_country(self, country: str) -> list[Company]:
        return [c for c in self._companies.values() if c.id.country == country]

    @staticmethod
    def matches(company: Company, name: str) -> bool:
        """Whether the company's name holds every word of `name`, accents and case aside."""
        folded = fold(company.name)
        return all(word in folded for word in fold(name).split())

    def search_name(self, country: str, name: str, *, limit: int = 50) -> list[Company]:
        """The companies of `country` that `matches` the name, by name, `limit` at most."""
        found = [c for c in self.in_country(country) if self.matches(c, name)]
        return sorted(found, key=lambda c: fold(c.name))[:limit]
