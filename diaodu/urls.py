from django.contrib import admin
from django.urls import include, path

from diaodu.api import api

urlpatterns = [
    path("", include("diaodu.cockpit.urls")),
    path("", include("diaodu.scale.urls")),
    path("accounts/", include("diaodu.accounts.urls")),
    path("plans/", include("diaodu.plans.urls")),
    path("projects/", include("diaodu.projects.urls")),
    path("compiler/", include("diaodu.compiler.urls")),
    path("reviews/", include("diaodu.reviews.urls")),
    path("audit/", include("diaodu.audit.urls")),
    path("workbooks/", include("diaodu.workbooks.urls")),
    path("reports/", include("diaodu.reports.urls")),
    path("supervision/", include("diaodu.supervision.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler404 = "diaodu.core.openapi_errors.not_found"
