import io

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.test import Client, override_settings
from django.urls import reverse

from machiwb.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo_data
from machiwb.accounts.models import Membership, User

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_demo_accounts_sign_in_with_the_printed_password_and_code(regions_loaded: None) -> None:
    out = io.StringIO()
    load_demo_data(OutputWrapper(out))
    assert "DEMO ONLY" in out.getvalue()
    assert DEMO_TOTP_SECRET in out.getvalue()
    admin = User.objects.get(email="demo-admin@wakayama.example.jp")
    assert Membership.objects.get(user=admin).municipality.name == "和歌山市"
    client = Client()
    client.post(reverse("accounts:login"), {"email": admin.email, "password": DEMO_PASSWORD})
    code = io.StringIO()
    call_command("demo_totp_code", stdout=code)
    response = client.post(reverse("accounts:verify"), {"code": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


@override_settings(DEBUG=False)
def test_no_demo_accounts_without_debug(regions_loaded: None) -> None:
    out = io.StringIO()
    load_demo_data(OutputWrapper(out))
    assert not User.objects.filter(email__startswith="demo-").exists()
    assert "skipped" in out.getvalue()
