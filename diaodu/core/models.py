"""Project-wide rows that belong to no domain area."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
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


class ChoiceLabels:
    """Mixin for models whose ``get_FOO_display()`` is called for many rows (lists, tables): Django rebuilds the
    field's whole choices dict on each call, hashing every lazy label (a translation each); here the dict is built
    once per field and only the one label asked for is translated. For fields with fixed choices only."""

    def _get_FIELD_display(self, field: Any) -> Any:
        labels = field.__dict__.get("_diaodu_labels")
        if labels is None:
            labels = field.__dict__["_diaodu_labels"] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
