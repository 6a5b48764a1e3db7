from django.db import migrations

SUPERVISOR = {
    "name": "督查员",
    "permissions": ["data.view", "supervision.manage"],
    "data_scope": "all",
    "description": "督查室：登记、交办、核验、办结督办件，查看全县目标与数据",
}


def create_supervisor_role(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.get_or_create(code="supervisor", defaults=SUPERVISOR)


def remove_supervisor_role(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code="supervisor", users__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(create_supervisor_role, remove_supervisor_role)]
