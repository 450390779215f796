from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "machiwb.opendata"
    verbose_name = _("オープンデータAPI")
