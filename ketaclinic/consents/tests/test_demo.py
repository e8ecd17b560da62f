from __future__ import annotations

from ketaclinic.accounts.models import Role
from ketaclinic.accounts.policies import shared_sections
from ketaclinic.consents import demo, queries
from ketaclinic.consents.models import Consent, Kind, Status
from ketaclinic.consents.tests.base import ConsentCase, make_patient


class DemoSeedTests(ConsentCase):
    def test_it_seeds_every_kind_once(self) -> None:
        part2 = make_patient(self.clinic, given="Sam", family="Rivera", sud_treatment=True)
        others = [make_patient(self.clinic, given=f"P{i}", family="Demo") for i in range(4)]
        assert demo.seed(self.clinic) > 0
        assert demo.seed(self.clinic) == 0  # idempotent
        therapist = self.users[Role.OUTSIDE_PROFESSIONAL]
        assert "part2" in shared_sections(therapist, part2)
        assert queries.has_live_consent(self.patient, Kind.OFF_LABEL)
        assert queries.has_live_consent(others[0], Kind.AGREEMENT)
        assert Consent.objects.filter(status=Status.REVOKED).count() == 1
