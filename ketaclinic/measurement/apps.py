from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "ketaclinic.measurement"
    label = "measurement"

    def ready(self) -> None:
        from ketaclinic.measurement.outcome_views import register_chart_tab

        register_chart_tab()
