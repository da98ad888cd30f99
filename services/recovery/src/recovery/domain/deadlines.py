"""Deadlines as French civil procedure counts them (Code de procédure civile, articles 641 and 642).

- CPC 641: the day of the act (or event) that starts a deadline is not counted; a deadline in days
  ends on the last day; a deadline in months ends on the same day number of the last month, or on
  that month's last day when it has no such day.
- CPC 642: every deadline expires on its last day at midnight; one that would end on a Saturday, a
  Sunday or a public holiday is extended to the next working day.
- The 15-day rule of the product (no payment 15 days after the plain letter) is counted the same way.
- Public holidays are those of the debtor's department, from the maintained `holidays` library:
  Alsace-Moselle (57, 67, 68) adds Good Friday and 26 December; each overseas department has its own
  (the abolition of slavery, among others).
- Days are the debtor's local days: the act's day is the date of the instant in the department's time
  zone, and a deadline has passed at midnight, local time, at the end of its last day.

Pure functions: no clock, no I/O (the holiday tables are computed by the library in memory).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Department -> subdivision of `holidays.France` (ISO 3166-2:FR codes as the library names them).
# Metropolitan departments other than Alsace-Moselle take the national calendar (no subdivision).
HOLIDAY_SUBDIVISION: dict[str, str] = {
    "57": "57",  # Moselle
    "67": "6AE",  # Bas-Rhin (Collectivité européenne d'Alsace)
    "68": "6AE",  # Haut-Rhin (Collectivité européenne d'Alsace)
    "971": "971",  # Guadeloupe
    "972": "972",  # Martinique
    "973": "973",  # Guyane
    "974": "974",  # La Réunion
    "975": "PM",  # Saint-Pierre-et-Miquelon
    "976": "976",  # Mayotte
    "977": "BL",  # Saint-Barthélemy (postcode 97133)
    "978": "MF",  # Saint-Martin (postcode 97150)
}

TIME_ZONE: dict[str, str] = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
}
METROPOLITAN_TIME_ZONE = "Europe/Paris"


@lru_cache(maxsize=32)
def _holidays(department: str) -> holidays.HolidayBase:
    return holidays.country_holidays("FR", subdiv=HOLIDAY_SUBDIVISION.get(department))


def public_holidays(department: str, year: int) -> dict[date, str]:
    """The public holidays of a department in a year, with their names."""
    table = holidays.country_holidays("FR", subdiv=HOLIDAY_SUBDIVISION.get(department), years=year)
    return {day: str(name) for day, name in sorted(table.items())}


def is_working_day(day: date, department: str) -> bool:
    """Neither a Saturday, a Sunday, nor a public holiday of the department (CPC 642)."""
    return day.weekday() < 5 and day not in _holidays(department)


def next_working_day(day: date, department: str) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, department):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """The same day number `months` later, or that month's last day when it has no such day (CPC 641)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_after(act_day: date, days: int, department: str) -> date:
    """The last day of a deadline of `days` days starting from an act on `act_day`: the act's day
    is not counted (CPC 641), and an end on a non-working day moves to the next working day (CPC 642)."""
    if days < 1:
        raise ValueError("a deadline is at least one day")
    return next_working_day(act_day + timedelta(days=days), department)


def months_after(act_day: date, months: int, department: str) -> date:
    """The last day of a deadline of `months` months from an act on `act_day` (CPC 641, 642)."""
    if months < 1:
        raise ValueError("a deadline is at least one month")
    return next_working_day(add_months(act_day, months), department)


def time_zone(department: str) -> ZoneInfo:
    return ZoneInfo(TIME_ZONE.get(department, METROPOLITAN_TIME_ZONE))


def local_day(instant: datetime, department: str) -> date:
    """The day an instant falls on in the department (the act's day of CPC 641)."""
    if instant.tzinfo is None:
        raise ValueError("instants are timezone-aware")
    return instant.astimezone(time_zone(department)).date()


def passed_at(last_day: date, department: str) -> datetime:
    """The first instant (UTC) at which a deadline whose last day is `last_day` has passed: midnight
    at the end of that day, local time (CPC 642: a deadline expires on its last day at 24:00)."""
    local_midnight = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=time_zone(department))
    return local_midnight.astimezone(UTC)
