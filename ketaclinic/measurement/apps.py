from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "ketaclinic.measurement"
    label = "measurement"
    verbose_name = "Questionnaires and safety alerts"

    def ready(self) -> None:
        from ketaclinic.measurement import chart
        from ketaclinic.measurement.board import questionnaire_checks
        from ketaclinic.measurement.outcome_views import register_chart_tab
        from ketaclinic.scheduling.board import register_board_check

        chart.register()
        register_chart_tab()
        register_board_check(questionnaire_checks)
