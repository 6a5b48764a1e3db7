from django.urls import path

from diaodu.scale import health

app_name = "health"
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
