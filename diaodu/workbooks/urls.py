from django.urls import path

from diaodu.workbooks import views

app_name = "workbooks"
urlpatterns = [
    path("import/<slug:kind>/", views.upload, name="upload"),
    path("jobs/<uuid:pk>/", views.job, name="job"),
    path("jobs/<uuid:pk>/commit/", views.commit, name="commit"),
    path("jobs/<uuid:pk>/errors.xlsx", views.errors, name="errors"),
    path("export/<slug:kind>.xlsx", views.export, name="export"),
    path("template/<slug:kind>.xlsx", views.template, name="template"),
]
