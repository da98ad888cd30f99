"""Due dates of installments and regularisation payments (DOMAIN.md, billing [002]).

The source's example is the rule: the first installment on the purchase date,
the next ones a fixed number of days apart (30 by default, a setting):
purchase 04/08/2019 -> 04/08/2019, 03/09/2019, 03/10/2019. A fixed day count
never lands on a missing day, so month ends need no special case. The debit
date shown is indicative: the provider may take it 1-2 days later.
"""

from __future__ import annotations

from datetime import date, timedelta

DEFAULT_INTERVAL_DAYS = 30


def due_dates(first: date, count: int, interval_days: int = DEFAULT_INTERVAL_DAYS) -> list[date]:
    """`count` due dates, the first on `first`, then every `interval_days` days."""
    if count < 1:
        raise ValueError("at least one due date")
    if interval_days < 1:
        raise ValueError("the interval between due dates is at least one day")
    return [first + timedelta(days=interval_days * n) for n in range(count)]
