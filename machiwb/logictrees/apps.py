from django.apps import AppConfig


class LogictreesConfig(AppConfig):
    name = "machiwb.logictrees"
    verbose_name = "ロジックツリー"
    default_auto_field = "django.db.models.BigAutoField"
