"""Configuration of scoring schemes and review sessions (sessions are also created here; scores, publishing and
点评 go through the pages and services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from diaodu.reviews.models import ReviewSession, ScoringScheme


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "version",
        "weight_targets",
        "weight_projects",
        "weight_supervision",
        "weight_observation",
        "min_raters_for_trimming",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A scheme once used by a published session is frozen: add a new version instead.
        if obj is not None and ReviewSession.objects.filter(scheme=obj, status="published").exists():
            return [f.name for f in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)


@admin.register(ReviewSession)
class ReviewSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "quarter", "org_unit", "scheme", "status")
    list_filter = ("year", "quarter", "status")
    filter_horizontal = ("units",)
    readonly_fields = ("status", "published_at", "published_by", "version")
