"""Password policy (source 002): at least 8 characters with an upper-case
letter, a lower-case letter, a digit and a special character."""

from __future__ import annotations

MIN_LENGTH = 8


def password_problems(password: str) -> list[str]:
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
    return problems
