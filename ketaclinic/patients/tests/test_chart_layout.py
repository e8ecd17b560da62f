"""Every chart tab, the patients app's and those other apps register (eligibility, consents,
care team, intake, outcomes), renders in the chart layout: the header with every item as a
row of one summary list, and the tab bar with its own tab current."""

from __future__ import annotations

import re

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.patients import chart
from ketaclinic.patients.tests.base import PatientCase

HEADER_ROWS = [
    "Status",
    "Allergies",
    "Safety flags",
    "Eligibility",
    "Care team",
    "Treatment plan",
    "Live consents",
    "Next visit",
]


def header_of(html: str) -> str:
    found = re.search(
        r'<section class="card chart-header" aria-label="Chart header">(.*?)</section>', html, re.S
    )
    assert found, "no chart header"
    return found.group(1)


class ChartLayoutTests(PatientCase):
    def test_every_tab_shows_the_header_and_the_tab_bar(self) -> None:
        slugs = {t.slug for t in chart.tabs()}
        assert {"eligibility", "consents", "care-team", "intake", "outcomes"} <= slugs
        self.login(Role.PHYSICIAN)
        for tab in chart.tabs():
            page = self.client.get(reverse(tab.url_name, args=[self.patient.pk]))
            assert page.status_code == 200, tab.slug
            html = page.content.decode()
            header = header_of(html)
            # One summary list holding every item, nothing standing outside it.
            assert header.count("<dl ") == 1, tab.slug
            assert header.strip().startswith('<dl class="summary-list'), tab.slug
            assert re.findall(r"<dt>(.*?)</dt>", header) == HEADER_ROWS, tab.slug
            assert f'aria-current="page">{tab.label}</a>' in html, tab.slug
            assert 'class="page-header__back' in html and "All patients" in html
            assert "Back to the chart" not in html, tab.slug

    def test_header_items_say_what_is_missing(self) -> None:
        self.login(Role.NURSE)
        html = self.client.get(reverse("careteam:team", args=[self.patient.pk])).content.decode()
        header = header_of(html)
        assert "No physician of record" in header
        assert "No live consent" in header
        assert "None open" in header  # safety flags

    def test_the_intake_tab_is_staff_only(self) -> None:
        tab = next(t for t in chart.tabs() if t.slug == "intake")
        from ketaclinic.patients import sections

        assert tab.section not in sections.SHAREABLE
        assert tab.roles == {Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR}
