from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "ketaclinic.measurement"
    label = "measurement"
    verbose_name = "Questionnaires and safety alerts"

    def ready(self) -> None:
        from ketaclinic.measurement import chart
        from ketaclinic.measurement.board import questionnaire_checks
        from ketaclinic.measurement.outcome_views import register_chart_tab
        from ketaclinic.measurement.schedules import plan_infusion_sends
        from ketaclinic.scheduling.board import register_board_check
        from ketaclinic.scheduling.hooks import register_booked

        chart.register()
        register_chart_tab()
        register_board_check(questionnaire_checks)
        # Booked visits are the infusions the schedule's before/after sends follow.
        register_booked(lambda patient, starts: plan_infusion_sends(patient, list(starts)))
