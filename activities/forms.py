"""Public forms of the sign-up: plain HTML, usable on any phone without JavaScript."""

from __future__ import annotations

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, RegistrationSettings
from activities.services import covered_enterprises
from activities.tickets import normalise_code
from activities.validators import (
    MAX_CHILDREN,
    normalise_mobile,
    parse_children_ages,
    validate_mobile,
)

#: Above this many covered enterprises a <select> gets too long for a phone: type the name instead.
ENTERPRISE_SELECT_LIMIT = 200
HONEYPOT_FIELD = "website"


class SignupForm(forms.Form):
    """Name and mobile always; the questions the activity's settings ask; the consent; a honeypot;
    a CAPTCHA after repeated attempts from one address."""

    participant_name = forms.CharField(
        label=_("姓名"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("请填写姓名。")},
    )
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=20,
        help_text=_("用于核对报名，每个手机号限报一次。"),
        error_messages={"required": _("请填写手机号。")},
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上方的《个人信息告知》"),
        error_messages={"required": _("请阅读并勾选同意《个人信息告知》后再提交。")},
    )
    # Bots fill every field; people never see this one (hidden by CSS, skipped by keyboard).
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(
        self, *args, activity: Activity, config: RegistrationSettings, with_captcha: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.activity, self.config = activity, config
        self.enterprise_by_name = False
        fields = {}
        if config.eligibility == RegistrationSettings.Eligibility.COVERED:
            enterprises = covered_enterprises(activity).order_by("name")
            if enterprises.count() <= ENTERPRISE_SELECT_LIMIT:
                fields["enterprise"] = forms.ModelChoiceField(
                    label=_("所在企业"),
                    queryset=enterprises,
                    empty_label=_("请选择"),
                    help_text=_("本活动仅限所列覆盖企业的女职工报名。"),
                    error_messages={
                        "invalid_choice": _("请从列表中选择所在企业。"),
                        "required": _("请从列表中选择所在企业。"),
                    },
                )
            else:
                self.enterprise_by_name = True
                fields["enterprise_name"] = forms.CharField(
                    label=_("所在企业全称"),
                    max_length=120,
                    help_text=_("本活动仅限覆盖企业的女职工报名，请填写与营业执照一致的企业全称。"),
                )
        elif config.ask_workplace:
            fields["workplace"] = forms.CharField(
                label=_("工作单位"), max_length=120, required=False
            )
        if config.ask_children:
            fields["children_count"] = forms.TypedChoiceField(
                label=_("子女人数"),
                coerce=int,
                choices=[(n, n) for n in range(1, MAX_CHILDREN + 1)],
            )
            fields["children_ages"] = forms.CharField(
                label=_("子女年龄"),
                max_length=40,
                help_text=_("每个孩子的周岁，用逗号或空格分开，如“6, 9”。"),
            )
        if config.question:
            fields["answer"] = forms.CharField(
                label=config.question,
                max_length=500,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # The questions go between the mobile and the consent.
        ordered = {}
        for name, field in self.fields.items():
            if name == "consent":
                ordered.update(fields)
            ordered[name] = field
        if with_captcha:
            ordered["captcha"] = CaptchaField(
                label=_("验证码"),
                help_text=_("提交次数较多，请计算图中算式并填写结果。"),
                widget=CaptchaTextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                error_messages={"invalid": _("验证码不正确，请重新计算图中的算式。")},
            )
        self.fields = ordered

    def clean_mobile(self):
        mobile = normalise_mobile(self.cleaned_data["mobile"])
        validate_mobile(mobile)
        return mobile

    def clean_participant_name(self):
        name = self.cleaned_data["participant_name"].strip()
        if not name:
            raise ValidationError(_("请填写姓名。"))
        return name

    def clean_enterprise_name(self):
        name = self.cleaned_data["enterprise_name"].strip()
        found = covered_enterprises(self.activity).filter(name=name).first()
        if found is None:
            raise ValidationError(_("没有找到这家覆盖企业，请填写与营业执照一致的企业全称。"))
        return found

    def clean(self):
        cleaned = super().clean()
        if self.config.ask_children and "children_count" in cleaned and "children_ages" in cleaned:
            try:
                ages = parse_children_ages(cleaned["children_ages"], cleaned["children_count"])
            except ValidationError as exc:
                self.add_error("children_ages", exc)
            else:
                cleaned["children_ages"] = ",".join(str(age) for age in ages)
        return cleaned

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def enterprise(self):
        if self.enterprise_by_name:
            return self.cleaned_data.get("enterprise_name")
        return self.cleaned_data.get("enterprise")


class CodeForm(forms.Form):
    """A typed registration code (cancel, self check-in)."""

    code = forms.CharField(
        label=_("报名码"),
        max_length=20,
        help_text=_("报名成功页上的8位报名码，如 K7QX-3M9P。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise ValidationError(_("报名码应为8位字母和数字（不含 0、1、I、L、O），请核对。"))
        return code
