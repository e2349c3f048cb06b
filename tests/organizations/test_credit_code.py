import pytest
from django.core.exceptions import ValidationError

from organizations.fields import CreditCodeFormField
from organizations.validators import (
    credit_code_check_char,
    normalize_credit_code,
    validate_credit_code,
)

REAL_CODES = ["91440300100012316L", "9144030010001686XA", "91110000710925462X"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    validate_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_wrong_check_character_is_refused_with_the_expected_one(code):
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError) as info:
        validate_credit_code(wrong)
    assert info.value.code == "credit_code_check"
    assert code[17] in info.value.messages[0]
    assert "校验位" in info.value.messages[0]


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters(letter):
    code = "9144030010001231" + letter + "L"
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert info.value.code == "credit_code_charset"
    assert letter in info.value.messages[0]


@pytest.mark.parametrize("code", ["", "9144030010001231", "91440300100012316LX", "9" * 30])
def test_wrong_lengths(code):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert info.value.code == "credit_code_length"


def test_full_width_lower_case_and_spaces_are_normalised():
    typed = " ９１４４０３００ １０００１２３１６ｌ "
    assert normalize_credit_code(typed) == "91440300100012316L"
    assert normalize_credit_code("91110000710925462x") == "91110000710925462X"
    field = CreditCodeFormField()
    assert field.clean(typed) == "91440300100012316L"


def test_form_field_refuses_invalid_code_in_chinese():
    field = CreditCodeFormField()
    with pytest.raises(ValidationError) as info:
        field.clean("91440300100012316A")
    assert "统一社会信用代码" in info.value.messages[0]
