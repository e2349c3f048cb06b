from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.validators import (
    normalize_credit_code,
    validate_credit_code,
    validate_credit_code_shape,
)


class CreditCodeFormField(forms.CharField):
    """Normalises what a person typed (spaces, full-width, lower case) before validating."""

    default_validators = [validate_credit_code]

    def __init__(self, *args, strict: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not strict:
            # The model's clean() decides: strict unless the record is marked unverified.
            self.validators = [
                v if v is not validate_credit_code else validate_credit_code_shape
                for v in self.validators
            ]

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_credit_code(value) if value else value


class CreditCodeField(models.CharField):
    """The 18-character unified social credit code (GB 32100-2015), or an unverified code that
    its model's ``clean()`` admits (a 15-digit registration number, a failing check character)."""

    default_validators = [validate_credit_code_shape]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("verbose_name", _("统一社会信用代码"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_credit_code(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalize_credit_code(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CreditCodeFormField, "strict": False, **kwargs})
