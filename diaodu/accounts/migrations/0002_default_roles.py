from django.db import migrations


def create_roles(apps, schema_editor):
    from diaodu.accounts.roles import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for seed in DEFAULT_ROLES:
        Role.objects.update_or_create(
            code=seed.code,
            defaults={
                "name": seed.name,
                "permissions": [str(p) for p in seed.permissions],
                "data_scope": str(seed.data_scope),
                "description": seed.description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
