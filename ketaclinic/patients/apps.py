from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "ketaclinic.patients"
    label = "patients"

    def ready(self) -> None:
        from ketaclinic.accounts.policies import register_break_glass_target
        from ketaclinic.patients.models import Patient

        register_break_glass_target(Patient)
