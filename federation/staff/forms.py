"""Forms of the staff pages; choices always come from the user's scope."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.images import clean_images
from activities.models import Activity, Article, Photo, RegistrationSettings
from activities.widgets import ArticleBodyWidget
from federation.core import privacy
from federation.core.forms import LineEndingsFormMixin
from federation.core.locking import VersionedFormMixin
from federation.core.scoping import own_federations, scope_queryset
from organizations.models import Federation, FollowUpVisit, OpeningHours, ServiceSite

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input, bounded per request (activities.images.clean_images): the
    value is an UploadBatch; a refused file is no field error, the form reports it by name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return clean_images(files)


class ScopedFormMixin(LineEndingsFormMixin):
    """Gives the form its user and limits every foreign-key choice to the user's scope (and
    stores line breaks as LF)."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None:
                field.queryset = scope_queryset(queryset, user)


class ActivityForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "title",
            "category",
            "format",
            "series",
            "organizer",
            "site",
            "location",
            "join_url",
            "join_info",
            "starts_at",
            "ends_at",
            "participants",
            "description",
            "is_public",
            "is_sensitive",
        ]
        widgets = {"starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organizer"].queryset = own_federations(user)
        if not self.instance.pk and user.federation_id:
            self.fields["organizer"].initial = user.federation_id
        if self.instance.participants_counted:
            # Counted from the check-ins: shown, never typed over.
            field = self.fields["participants"]
            field.disabled = True
            field.help_text = _("本活动使用报名签到，参与人数由签到自动统计。")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("结束时间不能早于开始时间。"))
        return cleaned


class ArticleForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    photos = MultipleImageField(
        label=_("添加照片"),
        required=False,
        help_text=_(
            "可一次选择多张（最多 20 张）；JPEG、PNG 或 WebP，单张不超过 10 MB、4000 万像素；"
            "位置等隐私信息会被清除。"
        ),
    )
    photo_caption = forms.CharField(
        label=_("照片说明"),
        max_length=200,
        required=False,
        help_text=_("用于本次上传的照片，可留空。"),
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "summary",
            "body",
            "federation",
            "activity",
            "brand",
            "source",
            "editor",
            "proofreader",
        ]
        widgets = {"body": ArticleBodyWidget()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["federation"].queryset = own_federations(user)
        if not self.instance.pk and user.federation_id:
            self.fields["federation"].initial = user.federation_id

    def _batch(self):
        batch = getattr(self, "cleaned_data", {}).get("photos")
        return batch if batch is not None else None

    def new_photos(self):
        caption = self.cleaned_data.get("photo_caption", "")
        batch = self._batch()
        return [(image, caption) for _name, image in batch.accepted] if batch else []

    @property
    def refused_photos(self) -> list[tuple[str, str]]:
        """(file name, reason) of each photo of this submit that was not accepted."""
        batch = self._batch()
        return batch.refused if batch else []

    @property
    def unsaved_photo_names(self) -> list[str]:
        """Valid photos of this submit that a form error kept from being saved: to re-select."""
        batch = self._batch()
        if not batch or not self.errors:
            return []
        return [name for name, _image in batch.accepted]


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("发布时间（北京时间）"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("留空即立即发布；填写将来的时间则到时自动公开。"),
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("作者会在工作台和文章页看到这段话。"),
        error_messages={"required": _("请写明退回修改的原因。")},
    )


class ServiceSiteForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    online_url = forms.URLField(
        label=ServiceSite._meta.get_field("online_url").verbose_name,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = ServiceSite
        fields = [
            "name",
            "kind",
            "federation",
            "area",
            "address",
            "latitude",
            "longitude",
            "hours_note",
            "services",
            "public_phone",
            "is_online",
            "is_mobile",
            "online_url",
            "established_on",
            "description",
            "is_active",
        ]
        widgets = {
            "established_on": DATE_WIDGET,
            "services": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["federation"].queryset = own_federations(user)
        if not self.instance.pk and user.federation_id:
            self.fields["federation"].initial = user.federation_id


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]
        widgets = {"opens": TIME_WIDGET, "closes": TIME_WIDGET}


OpeningHoursFormSet = forms.inlineformset_factory(
    ServiceSite, OpeningHours, form=OpeningHoursForm, extra=2, can_delete=True
)


class FederationProfileForm(LineEndingsFormMixin, VersionedFormMixin, forms.ModelForm):
    """A federation's own profile: its place in the network (level, parent, kind) stays fixed."""

    class Meta:
        model = Federation
        fields = [
            "short_name",
            "area",
            "address",
            "channel",
            "established_on",
            "chair_name",
            "contact_name",
            "contact_phone",
            "member_count",
            "description",
        ]
        widgets = {"established_on": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Users who may not see the contacts get masked values, never an input holding them.
        self.masked_contacts = []
        if not privacy.can_view_contact(user):
            for name in privacy.personal_fields(Federation):
                field = self.fields.pop(name)
                value = privacy.mask(Federation, name, getattr(self.instance, name))
                self.masked_contacts.append((field.label, value))


class PhotoForm(LineEndingsFormMixin, forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["caption", "position"]


class PanelPhotoForm(PhotoForm):
    """One row of the photo panel: caption, order (the position box is the no-JS way to
    reorder; photo-panel.js drags the rows and renumbers it) and the focal point a crop keeps."""

    class Meta(PhotoForm.Meta):
        fields = ["caption", "position", "focus_x", "focus_y"]
        widgets = {
            "caption": forms.TextInput(attrs={"placeholder": _("图片说明（可留空）")}),
            "position": forms.NumberInput(attrs={"min": 0, "class": "photo-position"}),
            "focus_x": forms.Select(
                attrs={
                    "class": "form-select form-select-sm d-inline-block w-auto",
                    "aria-label": _("焦点（从左到右）"),
                }
            ),
            "focus_y": forms.Select(
                attrs={
                    "class": "form-select form-select-sm d-inline-block w-auto",
                    "aria-label": _("焦点（从上到下）"),
                }
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("focus_x", "focus_y"):
            # A panel opened before the focal point existed keeps the stored one.
            self.fields[name].required = False

    def _kept(self, name):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value in (None, "") else value

    def clean_focus_x(self):
        return self._kept("focus_x")

    def clean_focus_y(self):
        return self._kept("focus_y")


PhotoPanelFormSet = forms.modelformset_factory(Photo, form=PanelPhotoForm, extra=0, can_delete=True)


# --- sign-up and check-in (issue 13) ---------------------------------------------------------------
class RegistrationSettingsForm(LineEndingsFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = RegistrationSettings
        fields = [
            "mode",
            "opens_at",
            "closes_at",
            "capacity",
            "waitlist",
            "eligibility",
            "ask_workplace",
            "ask_children",
            "question",
            "result_message",
        ]
        widgets = {
            "opens_at": DATETIME_WIDGET,
            "closes_at": DATETIME_WIDGET,
            "result_message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("报名截止时间须晚于开始时间。"))
        activity = self.instance.activity
        if closes and activity.ends_at and closes > activity.ends_at:
            self.add_error("closes_at", _("报名截止时间不能晚于活动结束时间。"))
        return cleaned


class CheckinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("报名码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )


class WalkInForm(forms.Form):
    participant_name = forms.CharField(label=_("姓名"), max_length=40)
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )


class CoverageActionForm(forms.Form):
    """纳入覆盖 / 分派跟进 of the ticked enterprises (one or many): the service checks each row."""

    COVER, ASSIGN = "cover", "assign"

    action = forms.ChoiceField(choices=((COVER, _("纳入覆盖")), (ASSIGN, _("分派跟进"))))
    enterprise = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("请至少选择一家企业。")}
    )
    # Typed by name (with the page's suggestions offered): a select of every federation of the
    # network would cost more to render than the whole worklist.
    federation = forms.ModelChoiceField(
        label=_("妇联组织"),
        queryset=Federation.objects.none(),
        to_field_name="name",
        widget=forms.TextInput(attrs={"list": "federation-names", "autocomplete": "off"}),
        error_messages={
            "required": _("请选择妇联组织。"),
            "invalid_choice": _("请选择您管理范围内有效的基层妇联。"),
        },
    )
    covered_since = forms.DateField(
        label=_("覆盖起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = scope_queryset(
            Federation.objects.active().grassroots().order_by("kind", "name"), user
        )
        # Any submitted id is a valid choice here: the service refuses each missing row by name.
        ids = self.data.getlist("enterprise") if hasattr(self.data, "getlist") else []
        self.fields["enterprise"].choices = [(v, v) for v in ids if str(v).isdigit()]

    def clean(self):
        data = super().clean()
        if data.get("action") == self.COVER and not data.get("covered_since"):
            self.add_error("covered_since", _("请填写覆盖起始日期。"))
        return data


class FollowUpVisitForm(forms.ModelForm):
    class Meta:
        model = FollowUpVisit
        fields = ["visited_on", "contact_made", "outcome", "note"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class CoverageTargetForm(forms.Form):
    """One coverage target of the cockpit: a period, the district or one 片区, a rate (empty
    removes the target)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("期间"),
        coerce=int,
        choices=[(0, _("全年（年底）"))]
        + [(q, _("第%(q)d季度末") % {"q": q}) for q in range(1, 5)],
    )
    area = forms.ChoiceField(label=_("范围"), required=False)
    rate = forms.IntegerField(
        label=_("目标覆盖率（%）"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("留空则删除该目标。"),
        error_messages={
            "min_value": _("目标覆盖率应在 0 到 100 之间。"),
            "max_value": _("目标覆盖率应在 0 到 100 之间。"),
            "invalid": _("请填写 0 到 100 之间的整数。"),
        },
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全区"))] + [(a, a) for a in areas if a]
