from django.urls import path

from machiwb.accounts import manage_views, views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/login/verify/", views.verify_view, name="verify"),
    path("accounts/login/enrol/", views.enrol_view, name="enrol"),
    path("accounts/login/enrol/qr.svg", views.enrol_qr_view, name="enrol_qr"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/logout/everywhere/", views.logout_everywhere_view, name="logout_everywhere"),
    path("accounts/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("accounts/password-reset/", views.password_reset_view, name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        views.password_reset_done_view,
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        views.password_reset_complete_view,
        name="password_reset_complete",
    ),
    path(
        "accounts/invitation/<str:token>/",
        manage_views.invitation_accept_view,
        name="invitation_accept",
    ),
    path("mypage/", views.mypage_view, name="mypage"),
    path("staff/<str:municipality_code>/members/", manage_views.members_view, name="members"),
    path(
        "staff/<str:municipality_code>/members/<uuid:public_id>/role/",
        manage_views.member_role_view,
        name="member_role",
    ),
    path(
        "staff/<str:municipality_code>/members/<uuid:public_id>/remove/",
        manage_views.member_remove_view,
        name="member_remove",
    ),
    path(
        "staff/<str:municipality_code>/invitations/<uuid:public_id>/revoke/",
        manage_views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("operator/accounts/", manage_views.operator_accounts_view, name="operator_accounts"),
]
