from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "machiwb.core"
    verbose_name = "共通"
