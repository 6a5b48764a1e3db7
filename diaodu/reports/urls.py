from django.urls import path

from diaodu.reports import views

app_name = "reports"
urlpatterns = [
    path("briefing/", views.briefing, name="briefing"),
    path("reviews/<int:pk>/", views.review, name="review"),
]
