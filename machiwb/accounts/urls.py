from django.urls import path

from machiwb.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/login/verify/", views.verify_view, name="verify"),
    path("accounts/login/enrol/", views.enrol_view, name="enrol"),
    path("accounts/login/enrol/qr.svg", views.enrol_qr_view, name="enrol_qr"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/logout/everywhere/", views.logout_everywhere_view, name="logout_everywhere"),
    path("accounts/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("mypage/", views.mypage_view, name="mypage"),
]
