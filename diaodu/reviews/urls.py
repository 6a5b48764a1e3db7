from django.urls import path

from diaodu.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("rankings/", views.rankings, name="rankings"),
    path("forecast/", views.forecast, name="forecast"),
    path("shigan/", views.shigan, name="shigan"),
    path("peers/", views.peers, name="peers"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/scores/", views.session_scores, name="session_scores"),
    path("sessions/<int:pk>/publish/", views.session_publish, name="session_publish"),
    path("sessions/<int:pk>/comments/", views.session_comment, name="session_comment"),
]
