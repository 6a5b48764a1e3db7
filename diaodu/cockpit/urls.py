from django.urls import path

from diaodu.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/<slug:code>/", views.indicator, name="indicator"),
    path("cockpit/projects/<int:pk>/", views.project, name="project"),
    path("cockpit/screen/", views.screen, name="screen"),
]
