from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "ketaclinic.treatment"
    label = "treatment"

    def ready(self) -> None:
        from ketaclinic.patients.chart import register_header_item, register_tab
        from ketaclinic.scheduling.board import register_board_detail
        from ketaclinic.treatment import chart
        from ketaclinic.treatment.board import plan_doses

        register_tab(chart.TAB)
        register_header_item(chart.HEADER)
        register_board_detail(plan_doses)
