from __future__ import annotations

from django.core import mail

from ketaclinic.accounts.models import Role
from ketaclinic.intake.demo import seed
from ketaclinic.intake.status import intake_status
from ketaclinic.lib.messaging import sms
from ketaclinic.patients.models import Patient
from ketaclinic.testing import BaseTestCase


class DemoSeedTests(BaseTestCase):
    def test_it_sends_one_intake_link_and_is_idempotent(self) -> None:
        sms.outbox.clear()
        users = {Role.COORDINATOR.value: self.users[Role.COORDINATOR]}
        patient = seed(self.clinic, users)
        assert patient is not None
        assert patient.status == "intake_pending"
        assert intake_status(patient).key == "sent"
        (email,) = mail.outbox
        assert "http://localhost:8000/i/" in email.body
        assert len(sms.outbox) == 1
        assert seed(self.clinic, users) is None
        assert Patient.objects.filter(clinic=self.clinic).count() == 1
