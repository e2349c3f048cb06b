"""Two-step login (TOTP, django-otp): optional for every staff account, and required for district
admins when ``TWO_FACTOR_REQUIRED_FOR_DISTRICT_ADMINS`` is on.

An account with a confirmed authenticator must give its current 6-digit code with the password,
on both login pages. A session that was not verified with a code (one opened before the
authenticator was added) is logged out. Wrong codes are throttled by django-otp (a growing delay)
and counted by the login rate limits like any other login POST.
"""

from __future__ import annotations

import math
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from federation.core.roles import DISTRICT_ADMIN

TOKEN_REQUIRED = _("此账号已开启两步验证：请同时输入验证器（手机应用）上显示的 6 位动态验证码。")
TOKEN_WRONG = _("动态验证码不正确或已过期：请输入验证器上当前显示的 6 位数字。")
SETUP_REQUIRED = _("区妇联管理员账号须开启两步验证：请用手机验证器扫描二维码并输入验证码。")
TOKEN_THROTTLED = _("动态验证码错误次数过多：请在 %(seconds)d 秒后再试。")
SESSION_UNVERIFIED = _("此账号已开启两步验证，请重新登录并输入动态验证码。")


def confirmed_devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def _clean_token(value: str) -> str:
    return "".join((value or "").split())


def _verify(device, token: str) -> bool:
    """django-otp's check, with its throttle (a delay that doubles after each wrong code) said
    in Chinese instead of a bare refusal."""
    with transaction.atomic():
        # The row lock keeps two concurrent tries from sharing one throttle step.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        if not allowed:
            locked_until = (details or {}).get("locked_until")
            seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
            raise ValidationError(
                TOKEN_THROTTLED, code="otp_throttled", params={"seconds": seconds}
            )
        return device.verify_token(token)


def _token_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        **kwargs,
    )


class TokenLoginMixin(forms.Form):
    otp_token = _token_field(
        label=_("动态验证码"),
        required=False,
        help_text=_("仅已开启两步验证的账号需要填写。"),
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        devices = list(confirmed_devices(user))
        if not devices:
            return
        token = _clean_token(self.cleaned_data.get("otp_token"))
        if not token:
            raise ValidationError(TOKEN_REQUIRED, code="otp_required")
        for device in devices:
            if _verify(device, token):
                # django-otp's user_logged_in handler marks the session as verified by it.
                user.otp_device = device
                return
        raise ValidationError(TOKEN_WRONG, code="otp_invalid")


class LoginForm(TokenLoginMixin, AuthenticationForm):
    field_order = ["username", "password", "otp_token"]


class AdminLoginForm(TokenLoginMixin, AdminAuthenticationForm):
    field_order = ["username", "password", "otp_token"]


def is_district_admin(user) -> bool:
    return user.groups.filter(name=DISTRICT_ADMIN).exists()


class TwoFactorMiddleware:
    """After django-otp's middleware: enforce what the login pages ask for.

    - A session of an account with an authenticator that was not verified by a code is ended.
    - With ``TWO_FACTOR_REQUIRED_FOR_DISTRICT_ADMINS``, a district admin without an authenticator
      may only open the set-up page (and log out) until one is added.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            if confirmed_devices(user).exists():
                logout(request)
                messages.warning(request, SESSION_UNVERIFIED)
                return redirect(f"{reverse('login')}?next={request.path}")
            if (
                settings.TWO_FACTOR_REQUIRED_FOR_DISTRICT_ADMINS
                and request.path_info not in (reverse("two_factor"), reverse("logout"))
                and is_district_admin(user)
            ):
                messages.warning(request, SETUP_REQUIRED)
                return redirect("two_factor")
        return self.get_response(request)


class ConfirmForm(forms.Form):
    otp_token = _token_field(label=_("验证器上显示的 6 位数字"))

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        if not _verify(self.device, _clean_token(self.cleaned_data["otp_token"])):
            raise ValidationError(TOKEN_WRONG, code="otp_invalid")
        return self.cleaned_data["otp_token"]


class TwoFactorView(LoginRequiredMixin, FormView):
    """Set up (scan the QR code, confirm with a code) or turn off (confirm with a code)."""

    template_name = "registration/two_factor.html"
    form_class = ConfirmForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.active = confirmed_devices(request.user).first()
            self.pending = None
            if self.active is None:
                # One pending authenticator per account, kept until confirmed (same QR on reload).
                self.pending, _created = TOTPDevice.objects.get_or_create(
                    user=request.user, confirmed=False, defaults={"name": "authenticator"}
                )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "device": self.active or self.pending}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active"] = self.active
        if self.pending is not None:
            qr = segno.make(self.pending.config_url, error="m")
            # Server-drawn SVG: no script, nothing sent to any outside service.
            context["qr_svg"] = mark_safe(qr.svg_inline(scale=4, border=4, omitsize=True))
            context["secret"] = _grouped_secret(self.pending)
        return context

    def form_valid(self, form):
        if self.active is not None:
            TOTPDevice.objects.filter(user=self.request.user).delete()
            messages.success(self.request, _("两步验证已关闭。"))
        else:
            device = self.pending
            device.confirmed = True
            device.created_at = timezone.now()
            device.save(update_fields=["confirmed", "created_at"])
            # This session proved the code: it stays valid.
            otp_login(self.request, device)
            messages.success(
                self.request, _("两步验证已开启：以后登录时请输入验证器上的动态验证码。")
            )
        return redirect("two_factor")


def _grouped_secret(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
