from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "machiwb.surveys"
    verbose_name = "アンケート調査"
