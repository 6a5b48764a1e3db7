"""Org units (单位): the county, its zones and parks, towns, departments and external peers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.orgunits.querysets import OrgUnitQuerySet


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    ZONE = "zone", _("园区板块")
    PARK = "park", _("园区/片区")
    TOWN = "town", _("镇")
    SUBDISTRICT = "subdistrict", _("街道")
    CLUSTER = "cluster", _("镇级工业集中区")
    DEPARTMENT = "department", _("部门")
    PEER = "peer", _("外部对标单位")


class OrgUnit(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    admin_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    stat_code = models.CharField(_("统计用区划代码"), max_length=12, blank=True)
    is_external = models.BooleanField(_("外部单位"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # Materialised path of primary keys ("/1/4/9/"): subtree queries are one indexed prefix match.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0

    @property
    def display_short(self) -> str:
        return self.short_name or self.name


class PeerGroup(models.Model):
    """A group of comparable units for horizontal ranking (横比)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    members = models.ManyToManyField(OrgUnit, related_name="peer_groups", verbose_name=_("成员"))

    class Meta:
        verbose_name = _("对标组")
        verbose_name_plural = _("对标组")

    def __str__(self) -> str:
        return self.name
