from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    name = "ketaclinic.infusions"
    label = "infusions"

    def ready(self) -> None:
        from ketaclinic.infusions import audit_events  # noqa: F401  (registers the actions)
