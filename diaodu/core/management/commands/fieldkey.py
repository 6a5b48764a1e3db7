"""`diaodu fieldkey rotate`: re-encrypt every encrypted column (TOTP secrets) with the current key.

After putting a new key first in DIAODU_FIELD_KEY (``new,old``), run this once; then the old key can be removed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from diaodu.core import fieldcrypt


class Command(BaseCommand):
    help = (
        "加密字段密钥轮换：用 DIAODU_FIELD_KEY 的第一个密钥重新加密所有加密字段 / "
        "re-encrypt every encrypted column with the first key of DIAODU_FIELD_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate"])

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        try:
            with transaction.atomic():
                for model, name in fieldcrypt.encrypted_fields():
                    rows = model._base_manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
                    for pk, plain in rows.values_list("pk", name):  # decrypted with whichever key fits
                        model._base_manager.filter(pk=pk).update(**{name: plain})  # encrypted with the first
                        total += 1
        except fieldcrypt.FieldKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已重新加密 {total} 个值 / re-encrypted {total} values")
