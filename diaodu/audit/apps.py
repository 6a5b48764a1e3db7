from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "diaodu.audit"
    label = "audit"
    verbose_name = "审计"
