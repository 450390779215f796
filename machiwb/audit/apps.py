from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "machiwb.audit"
    verbose_name = "監査ログ"
