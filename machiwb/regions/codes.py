"""全国地方公共団体コード: the 6-digit local-government code and its check digit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(code5: str) -> int:
    """Return the check digit for the first five digits (総務省's rule).

    check = (11 − (d1·6 + d2·5 + d3·4 + d4·3 + d5·2) mod 11) mod 10
    """
    if len(code5) != 5 or not code5.isascii() or not code5.isdigit():
        raise ValueError(f"expected 5 digits, got {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_lg_code(code: str) -> bool:
    """True for a 6-digit string whose last digit is the right check digit."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    return check_digit(code[:5]) == int(code[5])


def validate_lg_code(value: str) -> None:
    """Django validator with a message that says what is wrong."""
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("団体コード「%(value)s」は6桁の数字ではありません。"),
            code="lg_code_format",
            params={"value": value},
        )
    if not is_valid_lg_code(value):
        raise ValidationError(
            _(
                "団体コード「%(value)s」の検査数字（6桁目）が正しくありません（正しくは %(digit)s）。"
            ),
            code="lg_code_check_digit",
            params={"value": value, "digit": check_digit(value[:5])},
        )
