"""One write path per model: the service, the staff page and the admin give the same result.

Each change is made three ways (calling the service, posting the staff page, posting the admin
change form or action) and must leave the same record and the same one history entry, be refused
the same way outside the user's scope, and be refused the same way from a stale form. The forms
are posted as a browser would: the data come from the form the page rendered.
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from activities import services as activity_services
from activities.images import clean_image
from activities.models import Activity, Article, ArticleTransition, Photo
from brands import services as brand_services
from brands.models import BrandSession
from federation.core.locking import STALE_MESSAGE, StaleObjectError
from organizations import services as org_services
from organizations.models import Enterprise, Federation, ServiceSite
from tests.factories import (
    ActivityFactory,
    ArticleFactory,
    BrandSessionFactory,
    EnterpriseFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db


# --- posting a rendered form back, as a browser does --------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _fields(form) -> dict:
    data = {}
    for bound in form:
        widget, value = bound.field.widget, bound.value()
        if isinstance(widget, forms.FileInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            if widget.check_test(value):
                data[bound.html_name] = "on"
        elif isinstance(widget, forms.MultiWidget):  # the admin's date + time inputs
            for suffix, part in zip(widget.widgets_names, widget.decompress(value)):
                data[bound.html_name + suffix] = _text(part)
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [_text(v) for v in value]
        else:
            data[bound.html_name] = _text(value)
    return data


def rendered_data(response) -> dict:
    """What submitting the page's form unchanged would send (main form and every formset)."""
    context = response.context
    if "adminform" in context:
        main = context["adminform"].form
        formsets = [inline.formset for inline in context["inline_admin_formsets"]]
    else:
        main = context["form"]
        formsets = [context["hours_formset"]] if "hours_formset" in context else []
    data = _fields(main)
    for formset in formsets:
        data.update(_fields(formset.management_form))
        for form in formset.forms:
            data.update(_fields(form))
    return data


def outcome(response) -> str:
    if response.status_code == 302:
        return "saved"
    if response.status_code in (403, 404):
        return "refused"
    content = response.content.decode()
    if str(STALE_MESSAGE) in content:
        return "stale"
    errors = response.context["adminform"].form.errors if "adminform" in response.context else None
    return f"not saved ({response.status_code}): {errors or content[:300]}"


def admin_url(obj, view="change") -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


# --- the writes, each model and entry point -------------------------------------------------------
class Write:
    """A change of one field of a record, made through ``entry`` by ``actor``.

    The form is rendered for the record's own staff (``owner``); ``meanwhile`` runs between
    rendering and submitting (someone else saves the record).
    """

    field: str
    new_value: object
    owner = "staff_a"

    def make(self, world):
        raise NotImplementedError

    def staff_url(self, obj):
        return None

    def service(self, obj, user, version):
        raise NotImplementedError

    def run(self, entry, client, world, obj, actor, meanwhile=lambda: None) -> str:
        owner = getattr(world, self.owner)
        if entry == "service":
            fresh = type(obj)._default_manager.get(pk=obj.pk)
            version = getattr(fresh, "version", None)
            meanwhile()
            setattr(fresh, self.field, self.new_value)
            try:
                self.service(fresh, actor, version)
            except PermissionDenied:
                return "refused"
            except StaleObjectError:
                return "stale"
            return "saved"
        url = self.staff_url(obj) if entry == "staff" else admin_url(obj)
        client.force_login(owner)
        data = rendered_data(client.get(url))
        data[self.field] = _text(getattr(self.new_value, "pk", self.new_value))
        meanwhile()
        client.force_login(actor)
        return outcome(client.post(url, data))


class SiteWrite(Write):
    field, new_value = "address", "第五大街9号"

    def make(self, world):
        return ServiceSiteFactory(federation=world.fed_a, address="第三大街1号")

    def staff_url(self, obj):
        return reverse("staff:site_edit", args=[obj.pk])

    def service(self, obj, user, version):
        org_services.site_save(site=obj, user=user, expected_version=version)


class ActivityWrite(Write):
    field, new_value = "title", "巾帼心向党·新标题"

    def make(self, world):
        return ActivityFactory(organizer=world.fed_a, title="原标题")

    def staff_url(self, obj):
        return reverse("staff:activity_edit", args=[obj.pk])

    def service(self, obj, user, version):
        activity_services.activity_save(activity=obj, user=user, expected_version=version)


class ArticleWrite(Write):
    field, new_value = "title", "活动新闻·新标题"

    def make(self, world):
        return ArticleFactory(
            federation=world.fed_a, status="draft", publish_at=None, title="原标题"
        )

    def staff_url(self, obj):
        return reverse("staff:article_edit", args=[obj.pk])

    def service(self, obj, user, version):
        activity_services.article_save(article=obj, user=user, expected_version=version)


class FederationWrite(Write):
    field, new_value = "chair_name", "王主席"

    def make(self, world):
        return world.fed_a

    def staff_url(self, obj):
        return reverse("staff:federation_profile")  # the user's own federation only

    def service(self, obj, user, version):
        org_services.federation_save(federation=obj, user=user, expected_version=version)


class EnterpriseWrite(Write):
    field, new_value = "name", "天津泰达新名称科技有限公司"

    def make(self, world):
        return EnterpriseFactory(federation=world.fed_a, name="原名称")

    def service(self, obj, user, version):
        org_services.enterprise_save(enterprise=obj, user=user, expected_version=version)


VERSIONED = {
    "site": (SiteWrite(), ("service", "staff", "admin")),
    "activity": (ActivityWrite(), ("service", "staff", "admin")),
    "article": (ArticleWrite(), ("service", "staff", "admin")),
    "federation": (FederationWrite(), ("service", "staff", "admin")),
    "enterprise": (EnterpriseWrite(), ("service", "admin")),  # no staff page
}
# Another federation's staff cannot reach the staff profile of a federation not theirs at all.
REFUSABLE = {
    key: [e for e in entries if (key, e) != ("federation", "staff")]
    for key, (_w, entries) in VERSIONED.items()
}


def _cases(table):
    return [
        pytest.param(key, entry, id=f"{key}-{entry}")
        for key, entries in table.items()
        for entry in entries
    ]


def _state(write, obj):
    obj = type(obj)._default_manager.get(pk=obj.pk)
    return getattr(obj, write.field), obj.version, obj.history.count()


@pytest.mark.parametrize(("key", "entry"), _cases({k: e for k, (_w, e) in VERSIONED.items()}))
def test_a_change_gives_the_same_record_and_one_history_entry(client, world, key, entry):
    write = VERSIONED[key][0]
    obj = write.make(world)
    before = obj.history.count()
    assert write.run(entry, client, world, obj, world.staff_a) == "saved"
    value, version, records = _state(write, obj)
    latest = obj.history.latest()
    assert (value, version, records - before) == (write.new_value, obj.version + 1, 1)
    assert (latest.history_user, latest.history_type, latest.history_change_reason) == (
        world.staff_a,
        "~",
        "修改",
    )


@pytest.mark.parametrize(("key", "entry"), _cases(REFUSABLE))
def test_another_federations_record_is_refused_and_left_alone(client, world, key, entry):
    write = VERSIONED[key][0]
    obj = write.make(world)
    before = _state(write, obj)
    assert write.run(entry, client, world, obj, world.staff_b) == "refused"
    assert _state(write, obj) == before


@pytest.mark.parametrize("entry", ["service", "staff", "admin"])
def test_another_federations_record_cannot_be_taken_over(client, world, entry):
    """Moving another federation's site into one's own federation is refused too."""
    write = SiteWrite()
    write.field, write.new_value = "federation", world.fed_b
    site = write.make(world)
    before = _state(write, site)
    assert write.run(entry, client, world, site, world.staff_b) == "refused"
    assert _state(write, site) == before == (world.fed_a, 1, 1)


@pytest.mark.parametrize(("key", "entry"), _cases({k: e for k, (_w, e) in VERSIONED.items()}))
def test_a_stale_form_is_refused_and_saves_nothing(client, world, key, entry):
    write = VERSIONED[key][0]
    obj = write.make(world)
    model = type(obj)

    def saved_elsewhere():
        model._default_manager.filter(pk=obj.pk).update(version=F("version") + 1)

    value, version, records = _state(write, obj)
    assert write.run(entry, client, world, obj, world.staff_a, meanwhile=saved_elsewhere) == "stale"
    assert _state(write, obj) == (value, version + 1, records)


# --- photos: the caption through the staff page, the admin inline and the service ------------
@pytest.fixture
def photo(world, png_bytes):
    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    upload = SimpleUploadedFile("合影.png", png_bytes(), "image/png")
    return activity_services.photo_add(
        article=article, image=clean_image(upload), caption="原说明", user=world.staff_a
    )


def _edit_caption(entry, client, world, photo, actor) -> str:
    if entry == "service":
        try:
            activity_services.photo_update(
                photo=photo, user=actor, caption="志愿者合影", position=2
            )
        except PermissionDenied:
            return "refused"
        return "saved"
    if entry == "staff":
        client.force_login(actor)
        url = reverse("staff:photo_edit", args=[photo.pk])
        return outcome(client.post(url, {"caption": "志愿者合影", "position": 2}))
    url = admin_url(photo.article)
    client.force_login(world.staff_a)
    data = rendered_data(client.get(url))
    data.update({"photos-0-caption": "志愿者合影", "photos-0-position": "2"})
    client.force_login(actor)
    return outcome(client.post(url, data))


@pytest.mark.parametrize("entry", ["service", "staff", "admin"])
def test_a_photo_caption_edit_is_the_same_everywhere(client, world, photo, entry):
    image = photo.image.name
    assert _edit_caption(entry, client, world, photo, world.staff_a) == "saved"
    photo.refresh_from_db()
    latest = photo.history.latest()
    assert (photo.caption, photo.position, photo.image.name, photo.history.count()) == (
        "志愿者合影",
        2,
        image,
        2,
    )
    assert (latest.history_user, latest.history_type, latest.history_change_reason) == (
        world.staff_a,
        "~",
        "修改",
    )


@pytest.mark.parametrize("entry", ["service", "staff", "admin"])
def test_another_federations_photo_is_refused(client, world, photo, entry):
    assert _edit_caption(entry, client, world, photo, world.staff_b) == "refused"
    photo.refresh_from_db()
    assert (photo.caption, photo.history.count()) == ("原说明", 1)


def test_replacing_a_photos_file_in_the_admin_goes_through_the_service(
    client, world, photo, png_bytes, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    old = photo.image.name
    url = admin_url(photo.article)
    client.force_login(world.staff_a)
    data = rendered_data(client.get(url))
    data["photos-0-image"] = SimpleUploadedFile("新照片.png", png_bytes(80, 60), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        assert outcome(client.post(url, data)) == "saved"
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (80, 60) and photo.image.name != old
    assert default_storage.exists(photo.image.name) and not default_storage.exists(old)
    assert photo.history.latest().history_change_reason == "修改"


def _delete_photo(entry, client, world, photo, actor) -> str:
    if entry == "service":
        try:
            activity_services.photo_delete(photo=photo, user=actor)
        except PermissionDenied:
            return "refused"
        return "saved"
    if entry == "staff":
        client.force_login(actor)
        return outcome(client.post(reverse("staff:photo_delete", args=[photo.pk])))
    url = admin_url(photo.article)
    client.force_login(world.staff_a)
    data = rendered_data(client.get(url))
    data["photos-0-DELETE"] = "on"
    client.force_login(actor)
    return outcome(client.post(url, data))


@pytest.mark.parametrize("entry", ["service", "staff", "admin"])
def test_deleting_a_photo_is_the_same_everywhere(
    client, world, photo, entry, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    assert _delete_photo(entry, client, world, photo, world.staff_b) == "refused"
    assert Photo.objects.filter(pk=photo.pk).exists()

    name, pk = photo.image.name, photo.pk
    with django_capture_on_commit_callbacks(execute=True):
        assert _delete_photo(entry, client, world, photo, world.staff_a) == "saved"
    assert not Photo.objects.filter(pk=pk).exists() and not default_storage.exists(name)
    record = Photo.history.filter(id=pk).latest()
    assert (record.history_user, record.history_type, record.history_change_reason) == (
        world.staff_a,
        "-",
        "删除",
    )


# --- workflow: submitting an article for review -------------------------------------------------
def _submit(entry, client, article, actor) -> str:
    if entry == "service":
        try:
            activity_services.article_submit(article=article, user=actor)
        except PermissionDenied:
            return "refused"
        return "saved"
    client.force_login(actor)
    if entry == "staff":
        return outcome(
            client.post(
                reverse("staff:article_transition", args=[article.pk, "submit"]), {"note": ""}
            )
        )
    changelist = reverse("admin:activities_article_changelist")
    response = client.post(
        changelist, {"action": "submit_for_review", "_selected_action": [article.pk]}, follow=True
    )
    # The changelist is the user's scope: another federation's article is not even selectable.
    return "saved" if "1 篇文章已提交审核。" in response.content.decode() else "refused"


@pytest.mark.parametrize("entry", ["service", "staff", "admin"])
def test_a_workflow_step_is_the_same_everywhere(client, world, entry):
    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    assert _submit(entry, client, article, world.staff_a) == "saved"
    article.refresh_from_db()
    latest = article.history.latest()
    step = ArticleTransition.objects.get(article=article)
    assert (article.status, article.version, article.history.count()) == ("submitted", 2, 2)
    assert (latest.history_user, latest.history_change_reason) == (world.staff_a, "提交审核")
    assert (step.from_status, step.to_status, step.user) == ("draft", "submitted", world.staff_a)

    theirs = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    assert _submit(entry, client, theirs, world.staff_b) == "refused"
    theirs.refresh_from_db()
    assert (theirs.status, theirs.history.count(), theirs.transitions.count()) == ("draft", 1, 0)


# --- inlines and actions of the district's admin ------------------------------------------------
@pytest.mark.parametrize("entry", ["service", "admin", "admin inline"])
def test_a_brand_session_saved_alone_or_in_its_brands_inline_is_the_same(client, world, entry):
    session = BrandSessionFactory(title="第一期")
    if entry == "service":
        session.title = "暑期托管班"
        brand_services.brand_session_save(session=session, user=world.editor)
    else:
        url = admin_url(session.brand if entry == "admin inline" else session)
        client.force_login(world.editor)
        data = rendered_data(client.get(url))
        data["sessions-0-title" if entry == "admin inline" else "title"] = "暑期托管班"
        assert outcome(client.post(url, data)) == "saved"
    session = BrandSession.objects.get(pk=session.pk)
    latest = session.history.latest()
    assert (session.title, session.history.count()) == ("暑期托管班", 2)
    assert (latest.history_user, latest.history_change_reason) == (world.editor, "修改")


@pytest.mark.parametrize("entry", ["service", "admin", "admin action"])
def test_a_deletion_is_recorded_the_same_way_everywhere(client, world, entry):
    site = ServiceSiteFactory(federation=world.fed_a)
    pk = site.pk
    if entry == "service":
        org_services.site_delete(site=site, user=world.editor)
    else:
        client.force_login(world.editor)
        if entry == "admin":
            response = client.post(admin_url(site, "delete"), {"post": "yes"})
        else:
            response = client.post(
                reverse("admin:organizations_servicesite_changelist"),
                {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
            )
        assert response.status_code == 302
    assert not ServiceSite.objects.filter(pk=pk).exists()
    record = ServiceSite.history.filter(id=pk).latest()
    assert (record.history_user, record.history_type, record.history_change_reason) == (
        world.editor,
        "-",
        "删除",
    )


def test_a_federations_place_in_the_network_is_the_districts_on_every_path(client, world):
    # The service refuses it whoever calls it.
    fed = Federation.objects.get(pk=world.fed_a.pk)
    fed.kind = Federation.Kind.ONLINE
    fed.channel, fed.address = "泰达姐妹微信群", ""
    with pytest.raises(PermissionDenied, match="组建形式"):
        org_services.federation_save(federation=fed, user=world.staff_a)
    # The admin shows it read-only on the federation, and refuses it in the women's group inline.
    url = admin_url(world.fed_a)
    client.force_login(world.staff_a)
    page = client.get(url)
    assert not {"level", "kind", "parent", "is_active"} & set(page.context["adminform"].form.fields)
    data = rendered_data(page)
    data.pop("children-0-is_active")  # unticking "有效" on the group
    response = client.post(url, data)
    assert response.status_code == 200 and "“有效”只能由区妇联修改。" in response.content.decode()
    world.group_a.refresh_from_db()
    assert world.group_a.is_active and world.group_a.history.count() == 1
    # The district may.
    client.force_login(world.editor)
    data = rendered_data(client.get(url))
    data.pop("children-0-is_active")
    assert outcome(client.post(url, data)) == "saved"
    world.group_a.refresh_from_db()
    assert not world.group_a.is_active
    assert world.group_a.history.latest().history_user == world.editor


def test_services_called_by_a_task_attribute_the_history_without_a_request(world):
    """No request, no middleware: the service itself names the user."""
    activity = Activity.objects.get(pk=ActivityFactory(organizer=world.fed_a).pk)
    activity.participants = 88
    activity_services.activity_save(activity=activity, user=world.staff_a)
    assert activity.history.latest().history_user == world.staff_a
    enterprise = Enterprise.objects.get(pk=EnterpriseFactory(federation=world.fed_a).pk)
    enterprise.employees = 40
    org_services.enterprise_save(enterprise=enterprise, user=world.editor)
    assert enterprise.history.latest().history_user == world.editor
    article = Article.objects.get(
        pk=ArticleFactory(federation=world.fed_a, status="draft", publish_at=None).pk
    )
    activity_services.article_submit(article=article, user=world.staff_a, note="请审核")
    assert article.history.latest().history_change_reason == "提交审核：请审核"
