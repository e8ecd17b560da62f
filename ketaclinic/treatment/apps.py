from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "ketaclinic.treatment"
    label = "treatment"

    def ready(self) -> None:
        from ketaclinic.patients.chart import register_header_item, register_tab
        from ketaclinic.treatment import chart

        register_tab(chart.TAB)
        register_header_item(chart.HEADER)
