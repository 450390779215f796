from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "machiwb.indicators"
    verbose_name = "地域幸福度指標"
