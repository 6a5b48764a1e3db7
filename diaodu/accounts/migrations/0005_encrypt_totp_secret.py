"""Encrypt the TOTP secrets at rest (diaodu/core/fieldcrypt.py, key DIAODU_FIELD_KEY).

1. widen the column (a Fernet token of a 32-character secret is 140 characters);
2. encrypt every stored plain secret with the configured key (a value that already decrypts is left alone, so
   running it again changes nothing);
3. declare the column encrypted (no schema change).

Reversible: going back decrypts the secrets into plain text again (with the same key) and narrows the column.
"""

from django.db import migrations, models

import diaodu.core.fieldcrypt


def encrypt_secrets(apps, schema_editor):
    from diaodu.core import fieldcrypt

    User = apps.get_model("accounts", "User")  # here the column is still a plain CharField
    for pk, secret in User.objects.exclude(totp_secret="").values_list("pk", "totp_secret"):
        if not fieldcrypt.is_encrypted(secret):
            User.objects.filter(pk=pk).update(totp_secret=fieldcrypt.encrypt(secret))


def decrypt_secrets(apps, schema_editor):
    from diaodu.core import fieldcrypt

    User = apps.get_model("accounts", "User")
    for pk, token in User.objects.exclude(totp_secret="").values_list("pk", "totp_secret"):
        if fieldcrypt.is_encrypted(token):
            User.objects.filter(pk=pk).update(totp_secret=fieldcrypt.decrypt(token))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_security"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=diaodu.core.fieldcrypt.EncryptedCharField(blank=True, editable=False, max_length=255),
        ),
    ]
