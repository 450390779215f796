from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "machiwb.dashboard"
    verbose_name = "ダッシュボード"
