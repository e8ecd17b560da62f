"""The flow workflow's test fixture: ``SessionCase`` whose signed plan is made once per
patient (the shared fixture's ``signed_plan`` signs the new plan's newest version)."""

from __future__ import annotations

from ketaclinic.accounts.models import Role
from ketaclinic.infusions.tests.base import SessionCase
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import PlanVersion
from ketaclinic.treatment.queries import current_version


class FlowCase(SessionCase):
    def signed_plan(self) -> PlanVersion:
        found = current_version(self.patient)
        if found is not None and found.signed_at is not None:
            return found
        self.ready()
        plan = self.draft()
        return treatment_actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
