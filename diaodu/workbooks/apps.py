from django.apps import AppConfig


class WorkbooksConfig(AppConfig):
    name = "diaodu.workbooks"
    label = "workbooks"
    verbose_name = "Excel导入导出"
