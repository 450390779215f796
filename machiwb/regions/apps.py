from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "machiwb.regions"
    verbose_name = "地域"
