from __future__ import annotations

from decimal import Decimal

from django.test import TestCase

from ketaclinic.accounts.models import Role
from ketaclinic.demo import create_demo
from ketaclinic.patients import demo, queries
from ketaclinic.patients.models import Diagnosis, Patient


class DemoPatientsTests(TestCase):
    def test_the_demo_clinic_has_its_patients_in_different_states(self) -> None:
        clinic = create_demo()
        patients = Patient.objects.filter(clinic=clinic)
        assert patients.count() >= 8
        assert all("(demo)" in p.legal_family_name for p in patients)
        assert len(set(patients.values_list("status", flat=True))) >= 3
        part2 = patients.get(sud_treatment=True)
        assert Diagnosis.objects.get(patient=part2).part2 is True
        converted = patients.get(inquiry__isnull=False)
        assert converted.inquiry is not None
        assert converted.inquiry.converted_reference == converted.mrn
        codes = set(
            Diagnosis.objects.filter(patient__clinic=clinic).values_list("icd10_code", flat=True)
        )
        assert {"F33.2", "F43.10", "F41.1", "F10.20"} <= codes
        benzo = [
            m
            for p in patients
            for m in queries.current_medications(p)
            if m.lorazepam_equivalent_mg_per_day == Decimal("1.00")
        ]
        assert len(benzo) == 1
        past_psychosis = [
            p
            for p in patients
            if (a := queries.current_medical_answers(p).get("psychosis_past")) and a.answer == "yes"
        ]
        assert len(past_psychosis) == 1
        bps = [queries.latest_blood_pressure(p) for p in patients]
        assert any(b is not None and (b.systolic_mmhg, b.diastolic_mmhg) == (150, 95) for b in bps)
        # Shared with the demo therapist, and run twice adds nobody.
        assert demo.seed(clinic) == []
        assert Patient.objects.filter(clinic=clinic).count() == patients.count()
        therapist = clinic.memberships.get(role=Role.OUTSIDE_PROFESSIONAL).user
        from ketaclinic.accounts.models import SharedAccess

        assert (
            SharedAccess.objects.filter(professional=therapist, clinic=clinic)
            .exclude(object_id=str(clinic.pk))
            .exists()
        )
