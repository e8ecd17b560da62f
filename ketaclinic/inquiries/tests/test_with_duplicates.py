"""``queries.with_duplicates``: the detail page's inquiry and its possible duplicates in one
query, finding exactly what ``duplicates_of`` finds, in the same order."""

from __future__ import annotations

import datetime as dt

from ketaclinic.inquiries import queries
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry


class WithDuplicatesTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(
            self.clinic, name="Dana (test)", email="dana@example.com", phone="555-010-0134"
        )
        self.mine = Inquiry.objects.filter(clinic=self.clinic)

    def found(self, inquiry: Inquiry, limit: int = 20) -> list[Inquiry]:
        return queries.with_duplicates(self.mine, inquiry.pk, limit)

    def test_it_puts_the_inquiry_first_then_what_duplicates_of_finds(self) -> None:
        by_email = make_inquiry(self.clinic, name="Again (test)", email=" DANA@example.com ")
        by_phone = make_inquiry(self.clinic, name="Phone (test)", email="", phone="5550100134")
        make_inquiry(self.clinic, name="Stranger (test)", email="s@example.com", phone="")
        make_inquiry(self.other, name="Elsewhere (test)", email="dana@example.com")
        found = self.found(self.inquiry)
        assert found[0] == self.inquiry
        assert found[1:] == list(queries.duplicates_of(self.inquiry))
        assert set(found[1:]) == {by_email, by_phone}

    def test_it_keeps_the_newest_duplicates_up_to_the_limit(self) -> None:
        start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
        for i in range(5):
            dup = make_inquiry(self.clinic, name=f"Dup {i} (test)", email="dana@example.com")
            # Newer than the inquiry itself, so a plain "newest first" would push it out.
            Inquiry.objects.filter(pk=dup.pk).update(received_at=start + dt.timedelta(days=i))
        found = self.found(self.inquiry, limit=3)
        assert found[0] == self.inquiry
        assert [i.name for i in found[1:]] == ["Dup 4 (test)", "Dup 3 (test)", "Dup 2 (test)"]
        assert found[1:] == list(queries.duplicates_of(self.inquiry)[:3])

    def test_a_blank_phone_or_email_matches_nothing(self) -> None:
        lone = make_inquiry(self.clinic, name="Lone (test)", email="lone@example.com", phone="")
        make_inquiry(self.clinic, name="Blank phone too (test)", email="b@example.com", phone="")
        by_phone = make_inquiry(self.clinic, name="No email (test)", email="", phone="555-010-9")
        make_inquiry(self.clinic, name="No email too (test)", email="", phone="555-010-8")
        assert self.found(lone) == [lone]
        assert self.found(by_phone) == [by_phone]

    def test_another_clinics_inquiry_is_not_found(self) -> None:
        theirs = make_inquiry(self.other, name="Theirs (test)", email="dana@example.com")
        assert self.found(theirs) == []
        assert queries.with_duplicates(self.mine, 10**9, 20) == []

    def test_it_is_one_query(self) -> None:
        make_inquiry(self.clinic, name="Again (test)", email="dana@example.com")
        with self.assertNumQueries(1):
            found = self.found(self.inquiry)
        assert len(found) == 2
