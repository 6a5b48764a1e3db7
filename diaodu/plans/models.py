"""Plans (计划), indicators (指标), targets (目标) and monthly year-to-date actuals (月度实绩)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.core.models import ChoiceLabels
from diaodu.plans.querysets import ActualQuerySet, TargetQuerySet

UNIT_CHOICES = [
    (u, u)
    for u in (
        "%",
        "亿元",
        "万元",
        "万美元",
        "亿美元",
        "个",
        "家",
        "项",
        "亩",
        "万亩",
        "平方公里",
        "个月",
        "万吨",
    )
]


class Measure(models.TextChoices):
    GROWTH = "growth", _("增速")
    ABSOLUTE = "absolute", _("总量")
    COUNT = "count", _("个数")
    RATIO = "ratio", _("比率")
    AREA = "area", _("面积")
    REDUCTION = "reduction", _("压减")
    DURATION = "duration", _("时长")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Accumulation(models.TextChoices):
    YTD = "ytd", _("累计值")
    POINT = "point", _("时点值")


class Rollup(models.TextChoices):
    SUM = "sum", _("可加总")
    NONE = "none", _("不可加总")


class Comparator(models.TextChoices):
    GE = ">=", _("不低于")
    LE = "<=", _("不高于")
    APPROX = "~", _("左右/同步")
    EQ = "=", _("等于")


class Level(models.TextChoices):
    COMMITTED = "committed", _("确保")
    STRETCH = "stretch", _("力争")
    PLAIN = "plain", _("一般")


class ActualStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


# A plan's speech (依据原文, tens of kilobytes) is read only where it is shown or checked: the statements that read
# targets with their plan leave it out (``defer(PLAN_TEXT)``; hand-written ones skip PLAN_SPEECH_FIELDS).
PLAN_SPEECH_FIELDS = ("source_text",)
PLAN_TEXT = "plan__source_text"


class Plan(models.Model):
    code = models.SlugField(_("编码"), max_length=64, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    source_title = models.CharField(_("依据文件"), max_length=300, blank=True)
    source_text = models.TextField(_("依据原文"), blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    loaded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("计划")
        verbose_name_plural = _("计划")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    unit = models.CharField(_("目标单位"), max_length=8, choices=UNIT_CHOICES)
    value_unit = models.CharField(_("数值单位"), max_length=8, choices=UNIT_CHOICES, blank=True)
    measure = models.CharField(_("口径"), max_length=12, choices=Measure.choices)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    accumulation = models.CharField(
        _("累计方式"), max_length=8, choices=Accumulation.choices, default=Accumulation.YTD
    )
    rollup = models.CharField(_("汇总方式"), max_length=8, choices=Rollup.choices, default=Rollup.NONE)
    description = models.TextField(_("说明"), blank=True)
    computed_from = models.CharField(
        _("由项目数据计算"),
        max_length=64,
        blank=True,
        help_text=_("项目指标键（如 signed_ge_1yi_count）；填写后实绩由项目库计算，不再人工填报"),
    )

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def entry_unit(self) -> str:
        """The unit in which monthly values are entered (亿元 for a growth indicator of GDP)."""
        return self.entry_unit_of(self.value_unit, self.measure, self.unit)

    @staticmethod
    def entry_unit_of(value_unit: str, measure: str, unit: str) -> str:
        return value_unit or ("" if measure == Measure.GROWTH else unit)


class Target(ChoiceLabels, models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="targets")
    key = models.SlugField(_("键"), max_length=80)
    section = models.CharField(_("板块"), max_length=64, blank=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices, default=Comparator.GE)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, default=Level.PLAIN)
    quote = models.TextField(_("原文依据"))
    quote_position = models.PositiveIntegerField(_("原文位置"), null=True, blank=True)
    deadline = models.DateField(_("期限"), null=True, blank=True)
    relative_to = models.ForeignKey(
        Indicator,
        verbose_name=_("参照指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级目标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["plan", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="target_unique_key")]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.indicator} {self.get_comparator_display()} {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.value is None:
            return str(self.relative_to or "")
        text = format(self.value.normalize(), "f")
        return f"{text}{self.indicator.unit}"


class Actual(ChoiceLabels, models.Model):
    """One month's year-to-date figure of an indicator for an org unit, with its review state."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="actuals"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="actuals"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    ytd_value = models.DecimalField(_("累计值"), max_digits=20, decimal_places=4, null=True, blank=True)
    growth_pct = models.DecimalField(_("公布增速(%)"), max_digits=9, decimal_places=2, null=True, blank=True)
    base_value = models.DecimalField(_("上年同期"), max_digits=20, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("数据来源"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ActualStatus.choices, default=ActualStatus.DRAFT
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActualQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度实绩")
        verbose_name_plural = _("月度实绩")
        ordering = ["indicator", "org_unit", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "year", "month"], name="actual_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="actual_month_range"
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "year", "month"], name="actual_unit_period_idx"),
            # the latest approved month in a scope (the cockpit's default month): a backward scan
            models.Index(fields=["status", "year", "month"], name="actual_status_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.indicator} {self.year}年{self.month}月"

    @property
    def is_locked(self) -> bool:
        return self.status == ActualStatus.APPROVED

    @property
    def is_editable_state(self) -> bool:
        return self.status in (ActualStatus.DRAFT, ActualStatus.RETURNED)


class TargetLight(models.Model):
    """The light of a target as of the end of each month of its year (approved data only), kept up to date by
    the services (lights.py): lists that span many units (the cockpit's behind list and side-by-side columns)
    read these rows instead of evaluating every target below a unit on each request."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="lights")
    month = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8)
    # what the lists say beside the light: the compared figure and 超/欠进度 (percentage points)
    actual = models.DecimalField(max_digits=28, decimal_places=8, null=True)
    points = models.DecimalField(max_digits=28, decimal_places=8, null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "month"], name="target_light_unique")]
        indexes = [models.Index(fields=["month", "status"], name="target_light_month_idx")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.month}月 {self.status}"
