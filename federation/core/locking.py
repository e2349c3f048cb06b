"""Optimistic locking on the ``version`` field: a save from a stale form is refused.

The check is a compare-and-increment in one UPDATE (``WHERE version = expected``), so two
concurrent saves cannot both win, on SQLite or PostgreSQL. Forms carry the version they were
rendered with in a hidden field and check it early, so the user sees a clear message and keeps
their input.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "保存失败：在您打开此页面之后，这条记录已被他人修改并保存。"
    "您填写的内容仍保留在下方，请刷新查看最新内容后重新修改提交。"
)


class StaleObjectError(Exception):
    """The record changed since the form was rendered."""

    def __init__(self, message=STALE_MESSAGE):
        super().__init__(str(message))
        self.message = message


def is_versioned(model: type[Model]) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


def current_version(instance: Model, *, lock: bool = False) -> int | None:
    qs = type(instance)._default_manager.filter(pk=instance.pk)
    if lock:
        qs = qs.select_for_update()
    return qs.values_list("version", flat=True).first()


@transaction.atomic
def save_versioned(instance: Model, *, expected_version: int | None = None) -> Model:
    """Save ``instance``; for an existing row, bump its version only if it is still ``expected``.

    Without ``expected_version`` the version is still incremented, so that every other open form
    becomes stale (workflow steps, admin actions).
    """
    if instance._state.adding or instance.pk is None:
        instance.save()
        return instance
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        raise StaleObjectError()
    instance.version = current_version(instance)
    instance.save()
    return instance


class VersionedFormMixin(forms.Form):
    """Adds the hidden version token to a ModelForm and refuses a stale submission."""

    version_token = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["version_token"].initial = instance.version

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version_token")

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is not None and not instance._state.adding:
            # Locks the row until the surrounding transaction ends (PostgreSQL), so that of two
            # simultaneous saves the second one reads the first one's version.
            lock = transaction.get_connection().in_atomic_block
            if cleaned.get("version_token") != current_version(instance, lock=lock):
                raise ValidationError(STALE_MESSAGE, code="stale")
        return cleaned
