import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from machiwb.accounts.decorators import operator_required, staff_required
from machiwb.accounts.models import Role, User
from machiwb.accounts.testing import TEST_PASSWORD, login_staff, make_operator, make_staff
from machiwb.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def _request(user: object, verified: bool) -> HttpRequest:
    request = RequestFactory().get("/staff/page/")
    request.user = user  # type: ignore[assignment]
    if not isinstance(user, AnonymousUser):
        user.is_verified = lambda: verified  # type: ignore[attr-defined]
    return request


@pytest.fixture
def editor(regions_loaded: None) -> User:
    return make_staff(municipality="302015", role=Role.EDITOR)


def test_staff_required_sends_anonymous_to_login() -> None:
    response = staff_required(_ok)(_request(AnonymousUser(), False))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/staff/page/" in response["Location"]


def test_staff_required_refuses_password_only_session(editor: User) -> None:
    response = staff_required(_ok)(_request(editor, verified=False))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_required_admits_verified_staff_and_operators(editor: User) -> None:
    assert staff_required(_ok)(_request(editor, verified=True)).status_code == 200
    assert staff_required(_ok)(_request(make_operator(), verified=True)).status_code == 200


def test_operator_required(editor: User) -> None:
    with pytest.raises(PermissionDenied):
        operator_required(_ok)(_request(editor, verified=True))
    assert operator_required(_ok)(_request(make_operator(), verified=False)).status_code == 302
    assert operator_required(_ok)(_request(make_operator(), verified=True)).status_code == 200


def test_login_staff_marks_session_verified(editor: User) -> None:
    client = Client()
    login_staff(client, editor)
    request = RequestFactory().get("/")
    request.session = client.session
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django_otp.middleware import OTPMiddleware

    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    OTPMiddleware(lambda r: HttpResponse())(request)
    assert request.user.is_verified()  # type: ignore[union-attr]


def _password_step(client: Client, email: str, password: str = TEST_PASSWORD) -> HttpResponse:
    return client.post(reverse("accounts:login"), {"email": email, "password": password})  # type: ignore[return-value]


def test_password_alone_does_not_sign_in(editor: User) -> None:
    client = Client()
    response = _password_step(client, editor.email)
    assert response["Location"] == reverse("accounts:verify")
    assert "_auth_user_id" not in client.session


def test_full_login_with_totp(editor: User) -> None:
    client = Client()
    _password_step(client, editor.email)
    device = TOTPDevice.objects.get(user=editor)
    response = client.post(reverse("accounts:verify"), {"code": _code(device)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert AuditEntry.objects.filter(actor=editor, action="account.login").count() == 1


def test_wrong_totp_code_is_refused(editor: User) -> None:
    client = Client()
    _password_step(client, editor.email)
    response = client.post(reverse("accounts:verify"), {"code": "000000"})
    assert response.status_code == 200
    assert "確認コードが正しくない" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_gives_one_message_for_unknown_and_known(editor: User) -> None:
    known = _password_step(Client(), editor.email, "wrong-password-123")
    unknown = _password_step(Client(), "nobody@example.jp", "wrong-password-123")
    assert known.status_code == unknown.status_code == 200
    message = "メールアドレスまたはパスワードが正しくありません"
    assert message in known.content.decode()
    assert message in unknown.content.decode()


def test_lockout_after_five_failed_passwords(editor: User) -> None:
    for _ in range(5):
        _password_step(Client(), editor.email, "wrong-password-123")
    response = _password_step(Client(), editor.email)  # the right password, but locked
    assert response.status_code == 200
    assert "ロックされています" in response.content.decode()


def test_lockout_after_five_wrong_codes(editor: User) -> None:
    client = Client()
    _password_step(client, editor.email)
    for _ in range(5):
        client.post(reverse("accounts:verify"), {"code": "000000"})
    device = TOTPDevice.objects.get(user=editor)
    response = client.post(reverse("accounts:verify"), {"code": _code(device)})
    assert "ロックされています" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_first_login_enrols_totp_and_shows_recovery_codes(regions_loaded: None) -> None:
    user = User.objects.create_user("new@example.jp", TEST_PASSWORD)
    client = Client()
    assert _password_step(client, user.email)["Location"] == reverse("accounts:enrol")
    page = client.get(reverse("accounts:enrol"))
    assert page.status_code == 200
    qr = client.get(reverse("accounts:enrol_qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<script" not in qr.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:enrol"), {"code": _code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert client.session["_auth_user_id"] == str(user.pk)
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_recovery_code_signs_in_once(regions_loaded: None) -> None:
    user = User.objects.create_user("rc@example.jp", TEST_PASSWORD)
    from machiwb.accounts.services import recovery_codes_regenerate

    TOTPDevice.objects.create(user=user, confirmed=True)
    code = recovery_codes_regenerate(user=user)[0]
    client = Client()
    _password_step(client, user.email)
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302
    again = Client()
    _password_step(again, user.email)
    assert again.post(reverse("accounts:verify"), {"code": code}).status_code == 200


def test_logout(editor: User) -> None:
    client = Client()
    login_staff(client, editor)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_login_page_renders(editor: User) -> None:
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.content.decode()
