from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ketaclinic.ops"
    label = "ops"
    verbose_name = "Operations"
