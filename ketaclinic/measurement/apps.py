from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "ketaclinic.measurement"
    label = "measurement"
