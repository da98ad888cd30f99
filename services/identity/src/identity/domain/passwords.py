"""Password policy.

Source 002: at least 8 characters with an upper-case letter, a lower-case
letter, a digit and a special character. On top of it (issue 3): a password
must not contain the local part of the account's email, and must not be one of
the most common leaked passwords. The list is zxcvbn's (30,000 passwords ranked
by frequency in public leaks), shipped inside the package as a sorted array of
their 64-bit hashes (`identity.domain.leaked`, 240 KB, false positives about
1.6e-15 a lookup): no network at run time. As every entry is lower-case and the policy forces mixed case, digits and
a special character, a candidate is also refused when its letters-only core
("Password" in "Password1!") is a listed password: that is exactly how leaked
passwords are dressed up to pass composition rules.
"""

from __future__ import annotations

import string
from collections.abc import Container
from functools import cache

from identity.domain.leaked import shipped
from identity.domain.problems import Refused

MIN_LENGTH = 8
# Local parts shorter than this ("a@x.fr") are too common as substrings to refuse.
MIN_LOCAL_PART = 3
DECORATION = string.digits + string.punctuation + " "


@cache
def common_passwords() -> Container[str]:
    return shipped()


# Look-alike substitutions undone before the lookup ("P@ssw0rd" is "password").
UNLEET = [str.maketrans("@4310$5!7", "aaeiosSit".lower()), str.maketrans("@4310$5!7", "aaelosSit".lower())]


def is_common(password: str, listed: Container[str] | None = None) -> bool:
    """A listed password, as typed, under digits and symbols added at its ends,
    or under look-alike substitutions inside."""
    listed = common_passwords() if listed is None else listed
    lowered = password.lower()
    if lowered in listed:
        return True
    core = lowered.strip(DECORATION)
    candidates = {core} | {core.translate(table) for table in UNLEET}
    return any(len(candidate) >= 4 and candidate in listed for candidate in candidates)


def contains_local_part(password: str, email: str | None) -> bool:
    if not email or "@" not in email:
        return False
    local = email.rsplit("@", 1)[0].lower()
    return len(local) >= MIN_LOCAL_PART and local in password.lower()


def password_problems(password: str, email: str | None = None) -> list[str]:
    """What the password lacks, in words a user can act on; empty if it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if not any(c.isupper() for c in password):
        problems.append("must contain an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("must contain a lower-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("must contain a digit")
    if all(c.isalnum() for c in password):
        problems.append("must contain a special character")
    if contains_local_part(password, email):
        problems.append("must not contain your email address")
    if is_common(password):
        problems.append("is one of the most common leaked passwords: choose another")
    return problems


class PasswordRefused(Refused):
    """A new password its policy refuses (recovery, first connection, migration, invitation)."""


def new_password_problems(password: str, confirmation: str, email: str | None) -> dict[str, list[str]]:
    """A new password entered twice (registration, recovery, migration)."""
    errors: dict[str, list[str]] = {}
    problems = password_problems(password, email)
    if problems:
        errors["password"] = problems
    if password != confirmation:
        errors["password_confirmation"] = ["does not match the password"]
    return errors
