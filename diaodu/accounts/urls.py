from django.urls import path

from diaodu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.otp_verify_view, name="otp_verify"),
    path("login/enrol/", views.otp_enrol_view, name="otp_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("otp/", views.otp_setup_view, name="otp_setup"),
    path("login-log/", views.login_log_view, name="login_log"),
]
