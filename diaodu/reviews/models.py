"""Quarterly reviews (季度观摩/点评/研判): versioned scoring schemes, sessions, raters' observation scores, the
results frozen at publication, and 点评 comments. Peer figures are ordinary approved ``plans.Actual`` rows of the
external peer units (see :func:`diaodu.reviews.services.enter_peer_value`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.reviews.querysets import ReviewChildQuerySet, ReviewSessionQuerySet

SCORE_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class ScoringScheme(models.Model):
    """Weights of the four parts of a review score. A scheme used by a published session is never changed:
    a new version is added instead (``code`` + ``version`` is unique)."""

    code = models.SlugField(_("编码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    weight_targets = models.DecimalField(
        _("目标完成权重"), max_digits=5, decimal_places=2, default=Decimal(40)
    )
    weight_projects = models.DecimalField(
        _("项目推进权重"), max_digits=5, decimal_places=2, default=Decimal(25)
    )
    weight_supervision = models.DecimalField(
        _("督办时效权重"), max_digits=5, decimal_places=2, default=Decimal(5)
    )
    weight_observation = models.DecimalField(
        _("现场观摩权重"), max_digits=5, decimal_places=2, default=Decimal(30)
    )
    min_raters_for_trimming = models.PositiveSmallIntegerField(_("去掉最高最低分的最少评委数"), default=5)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评分方案")
        verbose_name_plural = _("评分方案")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="scheme_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def weights(self) -> dict[str, Decimal]:
        return {
            "targets": self.weight_targets,
            "projects": self.weight_projects,
            "supervision": self.weight_supervision,
            "observation": self.weight_observation,
        }


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("评分中")
    PUBLISHED = "published", _("已发布")


class ReviewSession(models.Model):
    title = models.CharField(_("名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name=_("评分方案"), on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("被点评单位"), related_name="review_sessions"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReviewSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("季度点评")
        verbose_name_plural = _("季度点评")
        ordering = ["-year", "-quarter", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def as_of_month(self) -> int:
        return self.quarter * 3

    @property
    def is_published(self) -> bool:
        return self.status == SessionStatus.PUBLISHED


class RaterScore(models.Model):
    """One rater's observation score (现场观摩打分, 0–100) of one unit; entered by the rater or from the paper sheet."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="scores")
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    rater = models.CharField(_("评委"), max_length=32)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    objects = ReviewChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩评分")
        verbose_name_plural = _("观摩评分")
        ordering = ["session", "org_unit", "rater"]
        constraints = [
            models.UniqueConstraint(fields=["session", "org_unit", "rater"], name="rater_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.org_unit} {self.rater}"


class ReviewResult(models.Model):
    """A unit's result frozen when the session is published (total, rank and the breakdown behind them)."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="results")
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    tied = models.BooleanField(_("并列"), default=False)
    breakdown = models.JSONField(_("得分构成"), default=list)

    objects = ReviewChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("点评结果")
        verbose_name_plural = _("点评结果")
        ordering = ["session", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "org_unit"], name="review_result_unique")]

    def __str__(self) -> str:
        return f"{self.session} {self.org_unit}"


class ReviewComment(models.Model):
    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="comments")
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("点评意见"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("点评意见")
        verbose_name_plural = _("点评意见")
        ordering = ["session", "org_unit", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
