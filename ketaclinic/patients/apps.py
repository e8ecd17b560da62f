from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "ketaclinic.patients"
    label = "patients"

    def ready(self) -> None:
        from ketaclinic.accounts.policies import register_break_glass_target
        from ketaclinic.patients import header, sections
        from ketaclinic.patients.chart import ChartTab, register_tab
        from ketaclinic.patients.models import Patient

        register_break_glass_target(Patient)
        header.register()
        for tab in (
            ChartTab("overview", "Overview", 10, "patients:overview", sections.SUMMARY),
            ChartTab("weight", "Weight", 20, "patients:weight", sections.WEIGHT),
            ChartTab(
                "medications",
                "Medications and allergies",
                30,
                "patients:medications",
                sections.MEDICATIONS,
            ),
            ChartTab("diagnoses", "Diagnoses", 40, "patients:diagnoses", sections.DIAGNOSES),
            ChartTab("history", "History", 50, "patients:history", sections.HISTORY),
        ):
            register_tab(tab)
