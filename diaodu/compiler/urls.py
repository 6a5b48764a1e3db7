from django.urls import path

from diaodu.compiler import views

app_name = "compiler"
urlpatterns = [
    path("", views.documents, name="documents"),
    path("upload/", views.upload, name="upload"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/export/", views.export, name="export"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/accept/", views.item_accept, name="item_accept"),
    path("items/<int:pk>/discard/", views.item_discard, name="item_discard"),
    path("items/<int:pk>/restore/", views.item_restore, name="item_restore"),
]
