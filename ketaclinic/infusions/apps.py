from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    name = "ketaclinic.infusions"
    label = "infusions"

    def ready(self) -> None:
        # The audit actions, and each workflow's panels and hooks (registered on import).
        from ketaclinic.infusions import audit_events, wiring  # noqa: F401
