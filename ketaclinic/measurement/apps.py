from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "ketaclinic.measurement"
    label = "measurement"
    verbose_name = "Questionnaires and safety alerts"

    def ready(self) -> None:
        from ketaclinic.measurement import chart

        chart.register()
