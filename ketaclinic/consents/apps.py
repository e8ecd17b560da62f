from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "ketaclinic.consents"
    label = "consents"

    def ready(self) -> None:
        from ketaclinic.consents import chart

        chart.register()
