from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "machiwb.analysis"
    verbose_name = "課題分野の特定"
    default_auto_field = "django.db.models.BigAutoField"
