from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "machiwb.analysis"
    verbose_name = _("課題分野の特定")
    default_auto_field = "django.db.models.BigAutoField"
