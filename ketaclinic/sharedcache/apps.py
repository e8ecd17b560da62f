from django.apps import AppConfig


class SharedCacheConfig(AppConfig):
    name = "ketaclinic.sharedcache"
    label = "sharedcache"
    verbose_name = "Shared cache"
