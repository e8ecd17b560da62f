from django.apps import AppConfig


class SecureLinksConfig(AppConfig):
    name = "ketaclinic.securelinks"
    label = "securelinks"
    verbose_name = "Secure links"
