from django.urls import path

from diaodu.plans import views

app_name = "plans"
urlpatterns = [
    path("targets/", views.targets, name="targets"),
    path("entry/", views.entry, name="entry"),
    path("review/", views.review, name="review"),
    path("actuals/<int:pk>/approve/", views.actual_approve, name="actual_approve"),
    path("actuals/<int:pk>/return/", views.actual_return, name="actual_return"),
    path("actuals/<int:pk>/reopen/", views.actual_reopen, name="actual_reopen"),
]
