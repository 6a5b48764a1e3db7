from django.urls import path

from diaodu.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("prereviews/<int:pk>/override/", views.prereview_override, name="prereview_override"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("overview/", views.key_overview, name="overview"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("review/", views.review, name="review"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("rulesets/", views.rulesets, name="rulesets"),
]
