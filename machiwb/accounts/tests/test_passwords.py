import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


def test_argon2_is_the_production_hasher() -> None:
    from config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.AUTH_PASSWORD_VALIDATORS


@pytest.mark.parametrize("weak", ["password1234", "123456789012", "short"])
def test_common_short_or_numeric_passwords_are_refused(weak: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_long_unusual_password_passes() -> None:
    validate_password("kumano-kodo-2024-mikan")
