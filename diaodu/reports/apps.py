from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "diaodu.reports"
    label = "reports"
    verbose_name = "调度通报"
