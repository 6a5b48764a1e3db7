from django.urls import path

from diaodu.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("board/", views.board, name="board"),
    path("overdue/", views.overdue, name="overdue"),
    path("tasks/", views.key_tasks, name="key_tasks"),
    path("tasks/<int:pk>/supervise/", views.key_task_supervise, name="key_task_supervise"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/<slug:action>/", views.item_step, name="item_step"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("blockers/", views.blockers, name="blockers"),
    path("blockers/<int:pk>/supervise/", views.blocker_supervise, name="blocker_supervise"),
]
