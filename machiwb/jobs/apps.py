from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "machiwb.jobs"
    verbose_name = _("バックグラウンド処理")

    def ready(self) -> None:
        # Each app declares its job kinds in ``machiwb/<app>/jobs.py``.
        autodiscover_modules("jobs")
