from django.apps import AppConfig


class ChartsConfig(AppConfig):
    name = "machiwb.charts"
    verbose_name = "グラフ"
