"""Translations: the committed zh-hans and English catalogues load, are complete and consistent,
and the language switch turns the pages English. No gettext tools needed (CI has none)."""

import gettext
import importlib.util
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("po_check", ROOT / "scripts" / "po_check.py")
po_check = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("po_check", po_check)  # dataclasses look their module up
_spec.loader.exec_module(po_check)

NAV = {  # the public navigation, Chinese source → English
    "活动资讯": "News",
    "活动日历": "Activities calendar",
    "服务阵地": "Service sites",
    "组织网络": "Network",
    "品牌项目": "Brand programs",
    "先进典型": "Exemplars",
    "数据": "Statistics",
}


def _mo(language: str) -> gettext.GNUTranslations:
    path = gettext.find("django", str(settings.LOCALE_PATHS[0]), [to_locale(language)])
    assert path, f"no compiled catalogue for {language} under {settings.LOCALE_PATHS[0]}"
    with open(path, "rb") as handle:
        return gettext.GNUTranslations(handle)


def test_zh_hans_catalogue_is_found_and_has_one_plural_form():
    catalogue = _mo("zh-hans")
    assert catalogue.info()["language"] == "zh_Hans"
    assert [catalogue.plural(n) for n in (0, 1, 2, 11)] == [0, 0, 0, 0]


def test_zh_hans_empty_msgstr_falls_back_to_the_chinese_source():
    with translation.override("zh-hans"):
        assert translation.gettext("活动资讯") == "活动资讯"
        assert translation.gettext("有你泰好") == "有你泰好"
        text = translation.ngettext("%(counter)s 篇新闻", "%(counter)s 篇新闻", 3)
        assert text % {"counter": 3} == "3 篇新闻"
        # Django's own zh_Hans catalogue still loads next to ours.
        assert translation.gettext("Log in") == "登录"


def test_english_catalogue_translates_the_navigation_and_plurals():
    assert _mo("en").info()["language"] == "en"
    with translation.override("en"):
        for chinese, english in NAV.items():
            assert translation.gettext(chinese) == english
        assert translation.gettext("有你泰好") == "Youni Taihao"
        plural = "%(counter)s 个已举办的活动还没有新闻"
        assert translation.ngettext(plural, plural, 1) % {"counter": 1} == (
            "1 past activity has no news yet"
        )
        assert translation.ngettext(plural, plural, 4) % {"counter": 4} == (
            "4 past activities have no news yet"
        )
        assert translation.pgettext("link to the edit form", "编辑") == "Edit"
        assert translation.gettext("编辑") == "Editor"  # the article credit line


def test_every_english_entry_is_translated_with_its_placeholders():
    """The committed catalogues: English complete, no fuzzy entry, placeholders and HTML kept,
    zh_Hans in step with English, and each .mo compiled from its current .po."""
    assert po_check.check() == []


def _entry(msgid, msgstr, *, flags=("python-format",), plural=None):
    entry = po_check.Entry(msgid=msgid, msgid_plural=plural, flags=set(flags))
    entry.msgstr = dict(enumerate(msgstr)) if isinstance(msgstr, list) else {0: msgstr}
    return entry


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (_entry("截至 %(date)s", ""), "untranslated"),
        (_entry("截至 %(date)s", "As of %(day)s"), "placeholders/tags differ"),
        (_entry("截至 %(date)s", "As of %(date)s", flags=("python-format", "fuzzy")), "fuzzy"),
        (_entry("第 %s 页", "Page", flags=("python-format",)), "placeholders/tags differ"),
        (_entry("完成 %(n)d", "%(n)d done, 100%"), "a lone %"),
        (_entry("<strong>注意</strong>", "Note", flags=()), "placeholders/tags differ"),
        (_entry("活动", "活动", flags=()), "still contains Chinese"),
        (_entry("%(n)d 篇", ["%(n)d article", ""], plural="%(n)d 篇"), "a plural form is empty"),
        (_entry("%(n)d 篇", ["%(n)d article"], plural="%(n)d 篇"), "1 plural forms"),
    ],
)
def test_the_catalogue_check_reports_bad_entries(entry, problem):
    problems = po_check.check_entry(entry, nforms=2, require=True)
    assert any(problem in p for p in problems), problems


def test_the_catalogue_check_accepts_a_good_entry():
    good = _entry("%(n)d 篇", ["%(n)d article", "%(n)d articles"], plural="%(n)d 篇")
    assert po_check.check_entry(good, nforms=2, require=True) == []
    assert po_check.check_entry(_entry("活动", "", flags=()), nforms=1, require=False) == []


def test_parser_reads_plural_context_and_multiline_entries():
    text = (
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, fuzzy, python-format\n#| msgid "旧"\nmsgctxt "c"\nmsgid "第一行\\n"\n"第二行"\n'
        'msgid_plural "多"\nmsgstr[0] "one \\"a\\""\nmsgstr[1] "many"\n\n'
        '#~ msgid "废弃"\n#~ msgstr "gone"\n'
    )
    header, entry, obsolete = po_check.parse_po("x.po", text)
    assert po_check.nplurals([header]) == 2
    assert (entry.msgctxt, entry.msgid, entry.msgid_plural) == ("c", "第一行\n第二行", "多")
    assert entry.msgstr == {0: 'one "a"', 1: "many"}
    assert entry.flags == {"fuzzy", "python-format"}
    assert obsolete.obsolete and obsolete.msgstr == {0: "gone"}


@pytest.mark.django_db
def test_language_switch_renders_the_home_page_in_english(client):
    home = reverse("home")
    chinese = client.get(home)  # also fills any page cache in Chinese first
    assert chinese.status_code == 200
    assert '<html lang="zh-hans">' in chinese.text
    assert "活动资讯" in chinese.text

    response = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    english = client.get(home)
    assert '<html lang="en">' in english.text
    for chinese_label, english_label in NAV.items():
        assert f">{english_label}</a>" in english.text
        assert f">{chinese_label}</a>" not in english.text
    assert "Youni Taihao" in english.text

    client.post(reverse("set_language"), {"language": "zh-hans", "next": home})
    assert "活动资讯" in client.get(home).text


@pytest.mark.django_db
def test_footer_language_links_switch_and_404_page_is_english(client):
    home = reverse("home")
    assert 'href="/language/en/' in client.get(home).text
    response = client.get(reverse("switch_language", args=["en"]), {"next": home})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Latest news" in client.get(home).text

    missing = client.get("/news/this-article-does-not-exist/")
    assert missing.status_code == 404
    assert "Page not found" in missing.text
    assert "页面不存在" not in missing.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("zh-CN,zh;q=0.9", "zh-hans"),  # WeChat on a Chinese phone
        ("zh-TW", "zh-hans"),
        ("fr-FR,fr;q=0.9", "zh-hans"),  # no catalogue: Chinese first
        ("en-US,en;q=0.9", "en"),
    ],
)
def test_browser_language_without_a_cookie(client, accept_language, lang):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=accept_language).text
    assert f'<html lang="{lang}">' in page


def test_the_catalogue_check_reports_a_stale_mo_and_catalogues_out_of_step(tmp_path):
    import shutil

    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    en = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    text = en.read_text(encoding="utf-8")
    assert 'msgstr "Youni Taihao"' in text
    en.write_text(text.replace('msgstr "Youni Taihao"', 'msgstr "Youni Taihao portal"'), "utf-8")
    problems = po_check.check(tmp_path / "locale")
    assert len(problems) == 1 and "differ from the .po" in problems[0]

    zh = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    zh.write_text(
        zh.read_text(encoding="utf-8").replace('msgid "有你泰好"', 'msgid "有你"'), "utf-8"
    )
    assert any("catalogues differ by 2 msgids" in p for p in po_check.check(tmp_path / "locale"))


@pytest.mark.django_db
@pytest.mark.parametrize("page_language", ["zh-hans", "en"])
@pytest.mark.parametrize("template_language", ["zh-hans", "en"])
def test_import_reads_the_chinese_and_the_english_template_in_either_language(
    tmp_path, district, page_language, template_language
):
    """A staff member who switched the admin to English still imports the Chinese template (the
    headers are translated strings), and an English template imports in a Chinese session."""
    from organizations.importing import jobs
    from organizations.importing.specs import ENTERPRISE
    from organizations.models import Enterprise
    from tests.factories import FederationFactory, make_credit_code
    from tests.organizations.import_helpers import enterprise_row, xlsx_bytes

    federation = FederationFactory(name="泰达中小企业园妇联", parent=district)
    with translation.override(template_language):
        headers = [str(column.header) for column in ENTERPRISE.columns]
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([enterprise_row(1, federation=federation.name)], headers))
    with translation.override(page_language):
        job, plan = jobs.import_file(
            kind="enterprise", path=str(path), user=None, sheet_name="", dry_run=False
        )
    assert plan.is_valid, [str(error) for error in plan.errors]
    assert Enterprise.objects.get(credit_code=make_credit_code(1)).federation == federation
