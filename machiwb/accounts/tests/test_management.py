"""Invitations, role changes, password reset, create_operator — each audited, none leaking secrets."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from machiwb.accounts.models import Invitation, Membership, Role, User
from machiwb.accounts.testing import TEST_PASSWORD, login_staff, make_operator, make_staff
from machiwb.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

WAKAYAMA, KAINAN = "302015", "302023"


@pytest.fixture
def admin_a(regions_loaded: None) -> User:
    return make_staff(municipality=WAKAYAMA, role=Role.ADMIN)


def _client(user: User) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def _mail_path() -> str:
    """The path of the first link in the last e-mail sent."""
    return "/" + mail.outbox[-1].body.split("://", 1)[1].split("/", 1)[1].split()[0]


def _audit_text() -> str:
    return " ".join(f"{e.summary} {e.details} {e.object_id}" for e in AuditEntry.objects.all())


def test_admin_invites_a_colleague_who_sets_up_an_account(admin_a: User) -> None:
    response = _client(admin_a).post(
        reverse("accounts:members", args=[WAKAYAMA]),
        {"email": "New.Colleague@city.wakayama.example.jp", "role": Role.EDITOR},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.colleague@city.wakayama.example.jp"
    assert len(mail.outbox) == 1
    path = _mail_path()
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in _audit_text()
    assert token not in invitation.token_hash

    newcomer = Client()
    assert newcomer.get(path).status_code == 200
    weak = newcomer.post(path, {"password1": "password1234", "password2": "password1234"})
    assert weak.status_code == 200
    assert not User.objects.filter(email=invitation.email).exists()
    done = newcomer.post(path, {"password1": TEST_PASSWORD, "password2": TEST_PASSWORD})
    assert done["Location"] == reverse("accounts:enrol")
    user = User.objects.get(email=invitation.email)
    assert Membership.objects.get(user=user).role == Role.EDITOR
    assert "_auth_user_id" not in newcomer.session  # still needs the second factor
    assert Client().get(path).status_code == 404  # single use
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"account.invite", "account.invite_accept"} <= actions


def test_existing_account_accepts_with_its_password(admin_a: User, regions_loaded: None) -> None:
    other = make_staff(municipality=KAINAN, role=Role.VIEWER)
    _client(admin_a).post(
        reverse("accounts:members", args=[WAKAYAMA]), {"email": other.email, "role": Role.VIEWER}
    )
    path = _mail_path()
    client = Client()
    assert client.post(path, {"password": "wrong-password-123"}).status_code == 200
    response = client.post(path, {"password": TEST_PASSWORD})
    assert response["Location"] == reverse("accounts:verify")
    assert set(other.memberships.values_list("municipality__code", flat=True)) == {WAKAYAMA, KAINAN}


def test_viewer_and_editor_cannot_manage_members(regions_loaded: None) -> None:
    for role in (Role.VIEWER, Role.EDITOR):
        staff = make_staff(municipality=WAKAYAMA, role=role)
        assert _client(staff).get(reverse("accounts:members", args=[WAKAYAMA])).status_code == 404


def test_admin_of_another_municipality_gets_404(admin_a: User) -> None:
    client = _client(admin_a)
    assert client.get(reverse("accounts:members", args=[KAINAN])).status_code == 404
    assert client.get(reverse("accounts:members", args=["999999"])).status_code == 404


def test_role_change_is_audited_and_last_admin_is_kept(admin_a: User) -> None:
    viewer = make_staff(municipality=WAKAYAMA, role=Role.VIEWER)
    client = _client(admin_a)
    client.post(
        reverse("accounts:member_role", args=[WAKAYAMA, viewer.public_id]), {"role": Role.ADMIN}
    )
    assert Membership.objects.get(user=viewer).role == Role.ADMIN
    entry = AuditEntry.objects.get(action="account.role_change")
    assert entry.municipality_id is not None
    assert entry.details == {"from": "viewer", "to": "admin"}
    # demote the other admin, then try to demote oneself as the last admin
    client.post(
        reverse("accounts:member_role", args=[WAKAYAMA, viewer.public_id]), {"role": Role.VIEWER}
    )
    response = client.post(
        reverse("accounts:member_role", args=[WAKAYAMA, admin_a.public_id]),
        {"role": Role.VIEWER},
        follow=True,
    )
    assert "少なくとも1人の管理者" in response.content.decode()
    assert Membership.objects.get(user=admin_a).role == Role.ADMIN


def test_member_of_another_municipality_cannot_be_changed(admin_a: User) -> None:
    stranger = make_staff(municipality=KAINAN, role=Role.VIEWER)
    response = _client(admin_a).post(
        reverse("accounts:member_role", args=[WAKAYAMA, stranger.public_id]), {"role": Role.ADMIN}
    )
    assert response.status_code == 404
    assert Membership.objects.get(user=stranger).role == Role.VIEWER


def test_remove_member(admin_a: User) -> None:
    viewer = make_staff(municipality=WAKAYAMA, role=Role.VIEWER)
    _client(admin_a).post(reverse("accounts:member_remove", args=[WAKAYAMA, viewer.public_id]))
    assert not Membership.objects.filter(user=viewer).exists()
    assert AuditEntry.objects.filter(action="account.member_remove").count() == 1


def test_operator_invites_a_municipality_admin(regions_loaded: None) -> None:
    operator = make_operator()
    client = _client(operator)
    bad = client.post(
        reverse("accounts:operator_accounts"), {"municipality_code": "999999", "email": "a@b.jp"}
    )
    assert "見つかりません" in bad.content.decode()
    client.post(
        reverse("accounts:operator_accounts"),
        {"municipality_code": KAINAN, "email": "admin@city.kainan.example.jp"},
    )
    invitation = Invitation.objects.get()
    assert (invitation.municipality.code, invitation.role) == (KAINAN, Role.ADMIN)
    assert client.get(reverse("accounts:members", args=[KAINAN])).status_code == 200


def test_non_operator_cannot_use_the_operator_page(admin_a: User) -> None:
    assert _client(admin_a).get(reverse("accounts:operator_accounts")).status_code == 403


def test_revoked_invitation_link_is_dead(admin_a: User) -> None:
    client = _client(admin_a)
    client.post(
        reverse("accounts:members", args=[WAKAYAMA]), {"email": "x@example.jp", "role": "viewer"}
    )
    path = _mail_path()
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:invitation_revoke", args=[WAKAYAMA, invitation.public_id]))
    assert Client().get(path).status_code == 404


def test_password_reset_flow(admin_a: User) -> None:
    other = _client(admin_a)
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": admin_a.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    path = _mail_path()
    page = client.get(path, follow=True)
    assert page.status_code == 200
    new_password = "new-kumano-kodo-2024"
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    admin_a.refresh_from_db()
    assert admin_a.check_password(new_password)
    assert other.get(reverse("accounts:mypage")).status_code == 302  # old sessions ended
    assert AuditEntry.objects.filter(action="account.password_reset").count() == 1
    assert new_password not in _audit_text()


def test_password_reset_for_unknown_address_looks_the_same(regions_loaded: None) -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.jp"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_is_rate_limited(regions_loaded: None) -> None:
    client = Client()
    statuses = [
        client.post(reverse("accounts:password_reset"), {"email": "x@example.jp"}).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429


def test_create_operator_command() -> None:
    out = io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(TEST_PASSWORD + "\n")
    try:
        call_command("create_operator", "--email", "Ops@Example.jp", "--password-stdin", stdout=out)
    finally:
        sys.stdin = old
    user = User.objects.get(email="ops@example.jp")
    assert user.is_operator
    assert "Created operator" in out.getvalue()
    assert AuditEntry.objects.filter(action="account.operator_create").count() == 1


def test_create_operator_refuses_a_weak_password() -> None:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO("password\n")
    try:
        with pytest.raises(CommandError, match="Password refused"):
            call_command("create_operator", "--email", "ops@example.jp", "--password-stdin")
    finally:
        sys.stdin = old
    assert not User.objects.filter(email="ops@example.jp").exists()


def test_invitation_to_a_deactivated_account_is_refused(admin_a: User) -> None:
    former = User.objects.create_user("former@example.jp", TEST_PASSWORD, is_active=False)
    _client(admin_a).post(
        reverse("accounts:members", args=[WAKAYAMA]), {"email": former.email, "role": "viewer"}
    )
    path = _mail_path()
    assert Client().get(path).status_code == 404
    response = Client().post(path, {"password1": TEST_PASSWORD, "password2": TEST_PASSWORD})
    assert response.status_code == 404
    assert not Membership.objects.filter(user=former).exists()
