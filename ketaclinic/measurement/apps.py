from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "ketaclinic.measurement"
    label = "measurement"
    verbose_name = "Questionnaires and safety alerts"

    def ready(self) -> None:
        from ketaclinic.measurement import chart
        from ketaclinic.measurement.outcome_views import register_chart_tab

        chart.register()
        register_chart_tab()
