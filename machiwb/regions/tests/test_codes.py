import pytest
from django.core.exceptions import ValidationError

from machiwb.regions.codes import check_digit, is_valid_lg_code, validate_lg_code


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("011002", True),  # 札幌市
        ("131016", True),  # 千代田区
        ("012131", True),  # 苫小牧市: remainder 0 gives check digit 1
        ("012050", True),  # 室蘭市: remainder 1 gives check digit 0
        ("302015", True),  # 和歌山市
        ("011003", False),  # wrong check digit
        ("131015", False),
        ("01100", False),  # five digits
        ("0110022", False),
        ("01100a", False),
        ("０１１００２", False),  # full-width digits are not a code
        ("", False),
    ],
)
def test_is_valid_lg_code(code: str, valid: bool) -> None:
    assert is_valid_lg_code(code) is valid


def test_check_digit_matches_the_official_rule() -> None:
    # (11 - (0*6 + 1*5 + 1*4 + 0*3 + 0*2) mod 11) mod 10 = (11 - 9) mod 10 = 2
    assert check_digit("01100") == 2


def test_check_digit_refuses_malformed_input() -> None:
    with pytest.raises(ValueError, match="5 digits"):
        check_digit("0110")


def test_validator_names_the_correct_digit() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_lg_code("011003")
    assert excinfo.value.code == "lg_code_check_digit"
    assert "2" in str(excinfo.value.messages[0])


def test_validator_rejects_non_digits() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_lg_code("abcdef")
    assert excinfo.value.code == "lg_code_format"
