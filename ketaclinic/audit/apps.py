from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AuditConfig(AppConfig):
    name = "ketaclinic.audit"
    label = "audit"

    def ready(self) -> None:
        # Every installed app's audit_events.py declares the actions it records
        # (ketaclinic.audit.registry); importing them fills the registry.
        autodiscover_modules("audit_events")
