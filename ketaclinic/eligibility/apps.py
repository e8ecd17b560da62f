from typing import Any

from django.apps import AppConfig


def _record_changed(sender: Any, patient: Any, by: Any = None, **kwargs: Any) -> None:
    """Screening reruns on every change to what it reads (inside the change's transaction)."""
    from ketaclinic.eligibility.actions import rescreen

    rescreen(patient, by=by, request=kwargs.get("request"))


class EligibilityConfig(AppConfig):
    name = "ketaclinic.eligibility"
    label = "eligibility"

    def ready(self) -> None:
        from ketaclinic.eligibility import chart
        from ketaclinic.patients.chart import register_header_item, register_tab
        from ketaclinic.patients.signals import record_changed

        register_tab(chart.TAB)
        register_header_item(chart.HEADER)
        record_changed.connect(_record_changed, dispatch_uid="eligibility.rescreen")
