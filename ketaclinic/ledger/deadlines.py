"""The DEA clocks of a theft or significant loss (pure: imports no Django).

21 CFR 1301.76(b), clinical reference §8.1 [E]: notify the DEA Field Division in writing
within one business day of discovery, and complete DEA Form 106 within 45 days of discovery.

Business days here are Monday to Friday. Federal holidays are not skipped: the due date is
then the earlier, safe day (a gap stated on purpose: a holiday calendar per clinic is not
built yet).
"""

from __future__ import annotations

import datetime as dt

#: Days from discovery to the written notice, counted in business days (§8.1 [E]).
WRITTEN_NOTICE_BUSINESS_DAYS = 1
#: Days from discovery to DEA Form 106, calendar days (§8.1 [E], rule effective 24 July 2023).
FORM_106_DAYS = 45


def add_business_days(day: dt.date, count: int) -> dt.date:
    """``day`` plus ``count`` business days (Monday to Friday).

    Parameters
    ----------
    day : datetime.date
        The local date of discovery.
    count : int
        Business days to add (>= 0).

    Returns
    -------
    datetime.date
        The date ``count`` weekdays later; Friday + 1 is Monday.
    """
    result = day
    added = 0
    while added < count:
        result += dt.timedelta(days=1)
        if result.weekday() < 5:
            added += 1
    return result


def written_notice_due(discovered_on: dt.date) -> dt.date:
    """The last day for the written notice: one business day after the discovery date."""
    return add_business_days(discovered_on, WRITTEN_NOTICE_BUSINESS_DAYS)


def form_106_due(discovered_on: dt.date) -> dt.date:
    """The last day for DEA Form 106: 45 calendar days after the discovery date."""
    return discovered_on + dt.timedelta(days=FORM_106_DAYS)
