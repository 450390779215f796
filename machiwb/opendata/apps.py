from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "machiwb.opendata"
    verbose_name = "オープンデータAPI"
