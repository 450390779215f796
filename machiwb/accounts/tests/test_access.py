import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from machiwb.accounts.access import access_municipality_for_staff, has_role
from machiwb.accounts.models import Membership, Role, User
from machiwb.regions.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns(regions_loaded: None) -> tuple[Municipality, Municipality]:
    return Municipality.objects.get(code="302015"), Municipality.objects.get(code="302023")


@pytest.fixture
def editor_of_a(towns: tuple[Municipality, Municipality]) -> User:
    user = User.objects.create_user("editor@a.example.jp", "x")
    Membership.objects.create(user=user, municipality=towns[0], role=Role.EDITOR)
    return user


def test_member_gets_own_municipality(editor_of_a: User) -> None:
    town = access_municipality_for_staff(user=editor_of_a, municipality_code="302015")
    assert town.code == "302015"


def test_other_municipality_is_indistinguishable_from_missing(editor_of_a: User) -> None:
    with pytest.raises(Http404):
        access_municipality_for_staff(user=editor_of_a, municipality_code="302023")
    with pytest.raises(Http404):
        access_municipality_for_staff(user=editor_of_a, municipality_code="999999")


def test_role_is_a_minimum(editor_of_a: User, towns: tuple[Municipality, Municipality]) -> None:
    assert has_role(user=editor_of_a, municipality=towns[0], minimum=Role.VIEWER)
    assert has_role(user=editor_of_a, municipality=towns[0], minimum=Role.EDITOR)
    assert not has_role(user=editor_of_a, municipality=towns[0], minimum=Role.ADMIN)
    with pytest.raises(Http404):
        access_municipality_for_staff(
            user=editor_of_a, municipality_code="302015", minimum=Role.ADMIN
        )


def test_anonymous_gets_404() -> None:
    with pytest.raises(Http404):
        access_municipality_for_staff(user=AnonymousUser(), municipality_code="302015")  # type: ignore[arg-type]
