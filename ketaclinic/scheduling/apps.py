from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "ketaclinic.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from ketaclinic.patients.chart import register_header_item
        from ketaclinic.scheduling import chart

        register_header_item(chart.HEADER)
