"""The DEA loss-report clocks (21 CFR 1301.76(b), clinical reference §8.1 [E]). Pure."""

from __future__ import annotations

import datetime as dt

from ketaclinic.ledger import deadlines


def test_the_written_notice_is_due_the_next_business_day() -> None:
    # 2026-12-01 is a Tuesday: due Wednesday 2026-12-02.
    assert deadlines.written_notice_due(dt.date(2026, 12, 1)) == dt.date(2026, 12, 2)


def test_a_discovery_on_friday_or_the_weekend_is_due_on_monday() -> None:
    friday, saturday, sunday = dt.date(2026, 12, 4), dt.date(2026, 12, 5), dt.date(2026, 12, 6)
    for day in (friday, saturday, sunday):
        assert deadlines.written_notice_due(day) == dt.date(2026, 12, 7)


def test_form_106_is_due_45_calendar_days_after_discovery() -> None:
    # 1 December + 45 days = 15 January (30 days left in December, 15 in January).
    assert deadlines.form_106_due(dt.date(2026, 12, 1)) == dt.date(2027, 1, 15)
