from django.apps import AppConfig


class CareteamConfig(AppConfig):
    name = "ketaclinic.careteam"
    label = "careteam"
