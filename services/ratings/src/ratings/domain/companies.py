"""Companies, identified by their country and their registration number.

A credit file is about a legal entity, so a company is identified by the
country of its register (ISO 3166-1 alpha-2) and its number there. Where
python-stdnum knows the country's company number, the number is checked and
put in its compact form (France: a SIREN, or a SIRET reduced to its SIREN);
elsewhere it is kept as given, trimmed and upper-cased, within a sane shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from stdnum import exceptions as stdnum_errors
from stdnum.be import vat as be_vat
from stdnum.ch import uid as ch_uid
from stdnum.es import cif as es_cif
from stdnum.fr import siren, siret
from stdnum.it import iva as it_iva
from stdnum.lu import tva as lu_tva
from stdnum.pt import nif as pt_nif

from ratings.domain.errors import RuleViolations, Violation

# ISO 3166-1 alpha-2, every officially assigned code.
COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS
    IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM
    MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS
    PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK
    TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()  # noqa: SIM905 (a table reads better as text)
)
# Numbers of registers python-stdnum does not check: letters, digits, and the
# separators registers print (dash, slash, dot, space), 2 to 32 characters.
GENERIC_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]{0,30}[A-Z0-9]$")
# Companies House numbers: 8 digits, or 2 letters and 6 digits (SC, NI, OC, ...).
UK_COMPANY_NUMBER = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")


def _french(number: str) -> str:
    """A SIREN, or a SIRET reduced to the SIREN of its company."""
    compact = siren.compact(number)
    if len(compact) == 14:
        return str(siret.to_siren(siret.validate(compact)))
    return str(siren.validate(compact))


def _stdnum(module: ModuleType) -> Callable[[str], str]:
    def check(number: str) -> str:
        return str(module.validate(number))

    return check


def _uk(number: str) -> str:
    compact = re.sub(r"\s", "", number).upper()
    if len(compact) < 8 and compact.isdigit():
        compact = compact.zfill(8)  # Companies House drops leading zeros in print
    if not UK_COMPANY_NUMBER.match(compact):
        raise stdnum_errors.InvalidFormat()
    return compact


# The company register checks python-stdnum (or the register's known shape) gives us.
CHECKED_REGISTERS: dict[str, Callable[[str], str]] = {
    "FR": _french,
    "BE": _stdnum(be_vat),
    "CH": _stdnum(ch_uid),
    "ES": _stdnum(es_cif),
    "IT": _stdnum(it_iva),
    "LU": _stdnum(lu_tva),
    "PT": _stdnum(pt_nif),
    "GB": _uk,
}


@dataclass(frozen=True, order=True)
class CompanyId:
    """A company: the country of its register and its number there, compact."""

    country: str
    number: str

    @classmethod
    def parse(cls, country: str, number: str) -> CompanyId:
        """Check and normalise; every problem is reported at once."""
        violations: list[Violation] = []
        code = country.strip().upper()
        if code not in COUNTRIES:
            violations.append(Violation("unknown-country", "country", f"{country!r} is not an ISO 3166-1 alpha-2 code"))
        raw = number.strip().upper()
        compact = raw
        if not raw:
            violations.append(Violation("missing-number", "registration_number", "the registration number is empty"))
        elif code in CHECKED_REGISTERS:
            try:
                compact = CHECKED_REGISTERS[code](raw)
            except stdnum_errors.InvalidChecksum:
                violations.append(
                    Violation("bad-checksum", "registration_number", f"{number!r}: the check digits are wrong")
                )
            except stdnum_errors.ValidationError:
                violations.append(
                    Violation(
                        "bad-number", "registration_number", f"{number!r} is not a company number of register {code}"
                    )
                )
        elif not GENERIC_NUMBER.match(raw):
            violations.append(
                Violation(
                    "bad-number",
                    "registration_number",
                    "2 to 32 letters, digits, spaces, dots, dashes or slashes, "
                    "starting and ending with a letter or digit",
                )
            )
        if violations:
            raise RuleViolations(violations)
        return cls(code, compact)

    @property
    def key(self) -> str:
        """One string for the pair, e.g. `FR-732829320`: ids, URLs, CSV."""
        return f"{self.country}-{self.number}"

    @classmethod
    def from_key(cls, key: str) -> CompanyId:
        country, sep, number = key.partition("-")
        if not sep:
            raise RuleViolations([Violation("bad-company-id", "company_id", f"{key!r} is not COUNTRY-NUMBER")])
        return cls.parse(country, number)

    @property
    def checked(self) -> bool:
        """Whether the number's form and check digits were verified for its register."""
        return self.country in CHECKED_REGISTERS


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class Company:
    """What a search finds: the company, its name and address, the provider's own id."""

    id: CompanyId
    name: str
    address: Address | None
    provider_id: str
