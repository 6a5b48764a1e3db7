"""Key projects and the investment pipeline (重点项目与招商项目库).

Project (项目) → ProjectYear (年度计划/重点项目认定) → StageEvent (阶段事件) and Signing (签约);
RuleSet/Rule → PreReview (签约预审); ApprovalTemplate → ApprovalItem → MissingDocument (审批事项与容缺后补);
MonthlyReport (月度调度) → Blocker (需协调问题). Rules and vocabularies are in :mod:`diaodu.projects.domain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from diaodu.core.models import ChoiceLabels
from diaodu.projects import domain
from diaodu.projects.querysets import (
    MissingDocumentQuerySet,
    MonthlyReportQuerySet,
    ProjectChildQuerySet,
    ProjectQuerySet,
    RuleSetQuerySet,
)


def _choices(labels: Mapping[Any, str]) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in labels.items()]


STAGE_CHOICES = _choices(domain.STAGE_LABELS)


def validate_project_code(value: str) -> None:
    if value and not domain.is_valid_project_code(value):
        raise ValidationError(
            _(
                "项目代码格式应为 YYMM-RRRRRR-DD-TT-NNNNNC（如 2306-320924-89-02-799920）或旧格式 "
                "YYYY-RRRRRR-DD-DD-NNNNN。"
            )
        )


def validate_credit_code(value: str) -> None:
    if value and not domain.is_valid_credit_code(value):
        raise ValidationError(_("统一社会信用代码无效（18位，校验位不符或含非法字符）。"))


def validate_industry_code(value: str) -> None:
    if value and not domain.is_valid_industry_code(value):
        raise ValidationError(_("行业代码应为 GB/T 4754 格式，如 C2614。"))


class Project(ChoiceLabels, models.Model):
    name = models.CharField(_("项目名称"), max_length=120)
    code = models.CharField(_("投资项目代码"), max_length=24, blank=True, validators=[validate_project_code])
    investor_name = models.CharField(_("投资方"), max_length=120, blank=True)
    investor_credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("所在板块/园区/镇"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    department = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("挂钩领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader_name = models.CharField(_("挂钩领导（姓名）"), max_length=32, blank=True)
    level = models.CharField(
        _("项目层级"), max_length=12, choices=_choices(domain.LEVEL_LABELS), default=domain.Level.NONE
    )
    category = models.CharField(
        _("项目类别"),
        max_length=16,
        choices=_choices(domain.CATEGORY_LABELS),
        default=domain.Category.INDUSTRY,
    )
    industry_code = models.CharField(
        _("行业代码"), max_length=5, blank=True, validators=[validate_industry_code]
    )
    chain = models.CharField(
        _("产业链"), max_length=12, choices=_choices(domain.CHAIN_LABELS), default=domain.Chain.OTHER
    )
    total_investment_wan = models.DecimalField(
        _("计划总投资（万元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    foreign_capital_wusd = models.DecimalField(
        _("外资（万美元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    land_area_mu = models.DecimalField(
        _("用地面积（亩）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    expected_sales_wan = models.DecimalField(
        _("达产年销售（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_tax_wan = models.DecimalField(
        _("达产年税收（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    content = models.TextField(_("建设内容"), blank=True)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工"), null=True, blank=True)
    stage = models.CharField(
        _("当前阶段"), max_length=16, choices=STAGE_CHOICES, default=domain.Stage.NEGOTIATING
    )
    stage_on = models.DateField(_("阶段日期"), null=True, blank=True)
    resume_stage = models.CharField(max_length=16, choices=STAGE_CHOICES, blank=True, editable=False)
    recognised_on = models.DateField(
        _("认定日期"), null=True, blank=True, help_text=_("上级平台或评审组认定为重点产业项目的日期")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["org_unit", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="project_code_unique_when_set"
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "stage"], name="project_unit_stage_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def investment_intensity(self):  # type: ignore[no-untyped-def]
        return domain.investment_intensity(self.total_investment_wan, self.land_area_mu)

    @property
    def tax_per_mu(self):  # type: ignore[no-untyped-def]
        return domain.tax_per_mu(self.expected_tax_wan, self.land_area_mu)


class ProjectYear(models.Model):
    """A project's plan for one year; ``is_key`` puts it on that year's key-project list (市级/县级)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    is_new = models.BooleanField(_("新建"), default=True, help_text=_("新建或续建（按年度）"))
    planned_investment_wan = models.DecimalField(
        _("年度计划投资（万元）"), max_digits=14, decimal_places=2, default=0
    )
    completed_before_wan = models.DecimalField(
        _("年初开累完成投资（万元）"), max_digits=14, decimal_places=2, default=0
    )
    planned_start_quarter = models.PositiveSmallIntegerField(
        _("计划开工季度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    is_key = models.BooleanField(_("重点项目"), default=False)
    key_level = models.CharField(
        _("重点层级"), max_length=12, choices=_choices(domain.LEVEL_LABELS), default=domain.Level.NONE
    )
    milestones = models.TextField(_("年度节点目标"), blank=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目年度计划")
        verbose_name_plural = _("项目年度计划")
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="project_year_unique")]
        # the cockpit lists a region's largest key projects of a year (top N by annual plan)
        indexes = [
            models.Index(
                fields=["year", "is_key", "-planned_investment_wan"], name="project_year_key_plan_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年"


class StageEvent(ChoiceLabels, models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="events"
    )
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=STAGE_CHOICES, blank=True)
    stage = models.CharField(_("阶段"), max_length=16, choices=STAGE_CHOICES)
    on = models.DateField(_("日期"))
    note = models.TextField(_("佐证说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段事件")
        verbose_name_plural = _("阶段事件")
        ordering = ["project", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_stage_display()} {self.on}"


class Signing(models.Model):
    """One signed agreement (签约): counted once at the first signing; a capital increase by its increment."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="signings"
    )
    on = models.DateField(_("签约日期"))
    kind = models.CharField(
        _("类型"),
        max_length=20,
        choices=_choices(domain.SIGNING_KIND_LABELS),
        default=domain.SigningKind.INITIAL,
    )
    amount_wan = models.DecimalField(
        _("签约金额（万元）"), max_digits=14, decimal_places=2, help_text=_("增资只填增加部分")
    )
    investor_name = models.CharField(_("投资方"), max_length=120, blank=True)
    investor_credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("签约")
        verbose_name_plural = _("签约")
        ordering = ["project", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} {self.on}"


# ----------------------------------------------------------------------------- pre-review


class RuleSet(models.Model):
    """A versioned set of 签约预审 rules for an org unit (and its subtree), e.g. the 临港 chemical park."""

    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("适用单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.TextField(_("依据"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("预审规则集")
        verbose_name_plural = _("预审规则集")
        ordering = ["org_unit", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name", "version"], name="ruleset_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Rule(models.Model):
    ruleset = models.ForeignKey(
        RuleSet, verbose_name=_("规则集"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=_choices(domain.RULE_KIND_LABELS))
    label = models.CharField(_("名称"), max_length=100, blank=True)
    threshold = models.DecimalField(_("阈值"), max_digits=14, decimal_places=2, null=True, blank=True)
    values = models.CharField(_("允许值（逗号分隔）"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("预审规则")
        verbose_name_plural = _("预审规则")
        ordering = ["ruleset", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()

    def clean(self) -> None:
        numeric = {domain.RuleKind.MIN_INTENSITY, domain.RuleKind.MIN_TAX_PER_MU, domain.RuleKind.MIN_TOTAL}
        if self.kind in numeric and self.threshold is None:
            raise ValidationError({"threshold": _("该类规则须填写阈值。")})
        if self.kind in {domain.RuleKind.CHAINS, domain.RuleKind.INDUSTRY} and not self.values.strip():
            raise ValidationError({"values": _("该类规则须填写允许值。")})

    def spec(self) -> domain.RuleSpec:
        values = tuple(v.strip() for v in self.values.replace("，", ",").split(",") if v.strip())
        return domain.RuleSpec(self.pk, domain.RuleKind(self.kind), self.label, self.threshold, values)


class PreReview(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="prereviews"
    )
    ruleset = models.ForeignKey(RuleSet, verbose_name=_("规则集"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结论"), max_length=16, choices=_choices(domain.OUTCOME_LABELS))
    results = models.JSONField(_("逐条结果"), default=list)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("预审时间"))
    overridden = models.BooleanField(_("批准放行"), default=False)
    override_reason = models.TextField(_("放行理由"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("签约预审")
        verbose_name_plural = _("签约预审")
        ordering = ["project", "-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} 预审 {self.get_outcome_display()}"


# ----------------------------------------------------------------------------- approvals


class ApprovalTemplate(models.Model):
    """The approvals checklist for a project category (e.g. 产业类), copied onto each project."""

    category = models.CharField(
        _("项目类别"), max_length=16, choices=_choices(domain.CATEGORY_LABELS), unique=True
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("审批清单模板")
        verbose_name_plural = _("审批清单模板")

    def __str__(self) -> str:
        return self.name


class ApprovalTemplateItem(models.Model):
    template = models.ForeignKey(ApprovalTemplate, on_delete=models.CASCADE, related_name="items")
    stage = models.CharField(_("阶段"), max_length=16, choices=_choices(domain.APPROVAL_STAGE_LABELS))
    name = models.CharField(_("事项"), max_length=100)
    key = models.SlugField(
        _("标识"), max_length=40, blank=True, help_text=_("如 land_contract、construction_permit")
    )
    lead_department = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("审批清单事项")
        verbose_name_plural = _("审批清单事项")
        ordering = ["template", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("未办理")
    IN_PROGRESS = "in_progress", _("办理中")
    ACCEPTED_PENDING_DOCS = "accepted_pending", _("容缺受理")
    DONE = "done", _("已办结")
    TERMINATED = "terminated", _("已终止")
    NOT_NEEDED = "not_needed", _("不涉及")


class ApprovalItem(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="approvals"
    )
    stage = models.CharField(_("阶段"), max_length=16, choices=_choices(domain.APPROVAL_STAGE_LABELS))
    name = models.CharField(_("事项"), max_length=100)
    key = models.SlugField(_("标识"), max_length=40, blank=True)
    lead_department = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_on = models.DateField(_("计划办结"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    done_on = models.DateField(_("实际办结"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("审批事项")
        verbose_name_plural = _("审批事项")
        ordering = ["project", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.name}"

    @property
    def is_parallel(self) -> bool:
        return self.stage == domain.ApprovalStage.PARALLEL


class MissingDocument(models.Model):
    """容缺后补: a document the case was accepted without, against a written undertaking with a due date."""

    approval = models.ForeignKey(
        ApprovalItem, verbose_name=_("审批事项"), on_delete=models.CASCADE, related_name="missing_documents"
    )
    name = models.CharField(_("材料"), max_length=100)
    due_on = models.DateField(_("承诺补齐日期"))
    supplied_on = models.DateField(_("实际补齐日期"), null=True, blank=True)

    objects = MissingDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("容缺材料")
        verbose_name_plural = _("容缺材料")
        ordering = ["approval", "due_on", "pk"]

    def __str__(self) -> str:
        return self.name


# ----------------------------------------------------------------------------- monthly dispatch


class MonthlyReport(ChoiceLabels, models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    month_wan = models.DecimalField(_("本月完成投资（万元）"), max_digits=14, decimal_places=2, default=0)
    ytd_wan = models.DecimalField(_("年度累计完成投资（万元）"), max_digits=14, decimal_places=2, default=0)
    progress = models.TextField(_("形象进度"), blank=True)
    stage_note = models.TextField(_("阶段变化"), blank=True)
    new_stage = models.CharField(
        _("本月阶段变更为"),
        max_length=16,
        choices=STAGE_CHOICES,
        blank=True,
        help_text=_("审核通过时记入项目阶段"),
    )
    new_stage_on = models.DateField(_("阶段变更日期"), null=True, blank=True)
    confirm_note = models.CharField(_("异常确认说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=_choices(domain.REPORT_STATUS_LABELS),
        default=domain.ReportStatus.DRAFT,
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

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度调度")
        verbose_name_plural = _("月度调度")
        ordering = ["project", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="report_unique_period"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month_range"),
        ]
        indexes = [models.Index(fields=["year", "month", "status"], name="report_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年{self.month}月"

    @property
    def is_editable_state(self) -> bool:
        return self.status in domain.EDITABLE_REPORT_STATES


class BlockerCategory(models.TextChoices):
    LAND = "land", _("用地")
    FUNDING = "funding", _("资金")
    APPROVAL = "approval", _("审批手续")
    UTILITIES = "utilities", _("水电气路")
    DEMOLITION = "demolition", _("征迁")
    OTHER = "other", _("其他")


class BlockerStatus(models.TextChoices):
    OPEN = "open", _("待交办")
    ROUTED = "routed", _("已交办")
    RESOLVED = "resolved", _("已解决")


class Blocker(models.Model):
    """A problem needing coordination raised in a monthly report; the supervision app routes it."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="blockers"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="blockers"
    )
    description = models.TextField(_("问题描述"))
    category = models.CharField(
        _("类别"), max_length=12, choices=BlockerCategory.choices, default=BlockerCategory.OTHER
    )
    department = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=BlockerStatus.choices, default=BlockerStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("需协调问题")
        verbose_name_plural = _("需协调问题")
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return self.description[:40]


# ----------------------------------------------------------------------------- write-time rollups


class ProjectRollup(models.Model):
    """The project metrics of an org unit for one month, kept up to date by the services (see rollups.py).

    ``subtree=False``: the unit's own projects; ``subtree=True``: the unit and every unit below it. Counts are
    projects, amounts 万元. The cockpit and every indicator ``computed_from`` a project metric read these rows
    instead of re-deriving every project below a unit on each request.
    """

    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    subtree = models.BooleanField()
    projects = models.IntegerField(default=0)
    key_count = models.IntegerField(default=0)
    city_key_count = models.IntegerField(default=0)
    county_key_count = models.IntegerField(default=0)
    key_total_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    city_key_total_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    county_key_total_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    key_ytd_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    city_key_ytd_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    county_key_ytd_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    key_plan_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    key_planned_count = models.IntegerField(default=0)  # key projects with an annual plan > 0
    key_planned_ytd_wan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    key_behind = models.IntegerField(default=0)  # key projects below their 序时计划 (plan × month / 12)
    new_key_planned = models.IntegerField(default=0)
    new_key_started = models.IntegerField(default=0)
    city_new_key_planned = models.IntegerField(default=0)
    city_new_key_started = models.IntegerField(default=0)
    signed_ge_1yi = models.IntegerField(default=0)
    signed_ge_10yi = models.IntegerField(default=0)
    signed_ge_50yi = models.IntegerField(default=0)
    signed_ge_100yi = models.IntegerField(default=0)
    started_ge_1yi = models.IntegerField(default=0)  # industrial ≥1亿 that first started in the year
    completed_ge_1yi = models.IntegerField(default=0)
    reached_signed = models.IntegerField(default=0)  # the funnel: projects at that stage or beyond
    reached_registered = models.IntegerField(default=0)
    reached_land_supplied = models.IntegerField(default=0)
    reached_started = models.IntegerField(default=0)
    reached_in_stats = models.IntegerField(default=0)
    reached_completed = models.IntegerField(default=0)
    reached_producing = models.IntegerField(default=0)
    reached_full_capacity = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "month", "subtree"], name="rollup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.year}-{self.month:02d} {'subtree' if self.subtree else 'own'}"
