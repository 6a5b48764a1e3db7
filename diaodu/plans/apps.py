from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "diaodu.plans"
    label = "plans"
    verbose_name = "目标与数据"
