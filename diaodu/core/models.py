"""Project-wide rows that belong to no domain area."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row: a value changed (to a new random one) in the transaction of every change that can alter a figure a reader sees (see
    :mod:`diaodu.core.dataversion`). Caches of computed pages are keyed by it, so they are never stale."""

    value = models.BigIntegerField(_("数据版本"), default=0)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self) -> str:
        return str(self.value)
