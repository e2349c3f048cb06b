"""Translations: the committed zh-hans and English catalogues load, are complete, hold exactly the
strings marked in the code, are compiled from their .po, and the language switch turns the pages
English. No gettext tools needed: scripts/po_check.py reads the catalogues and the sources itself."""

import gettext
import importlib.util
import shutil
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
    "活动日历": "Calendar",
    "服务阵地": "Service sites",
    "组织网络": "Network",
    "品牌项目": "Brands",
    "先进典型": "Exemplars",
    "数据": "Figures",
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
    zh_Hans in step with English, each .mo compiled from its current .po, and both holding exactly
    the strings marked in the code and templates."""
    assert po_check.check() == []


def _portal_copy(tmp_path):
    """The files `make messages` reads, the Makefile and the catalogues, copied to ``tmp_path``."""
    root = tmp_path / "portal"
    for path in [*po_check.source_files(ROOT), ROOT / "Makefile"]:
        target = root / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    shutil.copytree(ROOT / "locale", root / "locale")
    return root


EN_PO = "locale/en/LC_MESSAGES/django.po"
ZH_PO = "locale/zh_Hans/LC_MESSAGES/django.po"


@pytest.mark.parametrize(
    ("missing", "problem"),
    [
        ("locale/zh_Hans", f"{ZH_PO}: missing, run `make messages`"),
        ("locale/en", f"{EN_PO}: missing, run `make messages`"),
        (
            "locale/zh_Hans/LC_MESSAGES/django.mo",
            "locale/zh_Hans/LC_MESSAGES/django.mo: missing, run `make messages`",
        ),
        (
            "locale/en/LC_MESSAGES/django.mo",
            "locale/en/LC_MESSAGES/django.mo: missing, run `make messages`",
        ),
    ],
)
def test_the_catalogue_check_reports_a_missing_catalogue(tmp_path, missing, problem):
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    gone = tmp_path / missing
    shutil.rmtree(gone) if gone.is_dir() else gone.unlink()
    assert po_check.check(tmp_path / "locale") == [f"{tmp_path}/{problem}"]


def test_the_catalogue_check_reports_a_string_marked_after_the_last_make_messages(tmp_path):
    root = _portal_copy(tmp_path)
    assert po_check.check(root / "locale", root) == []  # the copy is in step, like the portal

    (root / "activities" / "notices.py").write_text(
        'from django.utils.translation import gettext_lazy as _\n\nNOTICE = _("这句只在测试里出现")\n',
        encoding="utf-8",
    )
    page = root / "templates" / "notice.html"
    page.write_text('{% load i18n %}<p>{% translate "请提前十分钟到场" %}</p>\n', encoding="utf-8")
    assert po_check.check(root / "locale", root) == [
        f"{root}/{po}: 2 string(s) marked in the code but not in the catalogue "
        "('请提前十分钟到场', '这句只在测试里出现'), run `make messages`"
        for po in (EN_PO, ZH_PO)
    ]


def test_the_catalogue_check_reports_an_entry_no_longer_in_the_code(tmp_path):
    root = _portal_copy(tmp_path)
    for po, msgstr in ((EN_PO, "Sign-up closed"), (ZH_PO, "")):
        with open(root / po, "a", encoding="utf-8") as handle:
            handle.write(
                f'\n#: activities/gone.py\nmsgid "这句只在测试里出现"\nmsgstr "{msgstr}"\n'
            )
    assert po_check.check(root / "locale", root) == [
        f"{root}/locale/en/LC_MESSAGES/django.mo: 1 entries differ from the .po, run `make messages`",
        f"{root}/{EN_PO}: 1 string(s) in the catalogue but no longer marked in the code "
        "('这句只在测试里出现'), run `make messages`",
        f"{root}/{ZH_PO}: 1 string(s) in the catalogue but no longer marked in the code "
        "('这句只在测试里出现'), run `make messages`",
    ]


def test_the_source_reader_finds_what_makemessages_finds():
    """Cases checked once against `makemessages` (xgettext): the same msgids, no more, no less."""
    code = (
        "from django.utils.translation import gettext_lazy as _, ngettext_lazy, pgettext_lazy\n"
        'A = _("拼接" "字符串")\n'
        'B = pgettext_lazy("上下文", "有上下文")\n'
        'C = ngettext_lazy("%(n)d 篇", "%(n)d 篇文章", "n")\n'
        'D = translation.npgettext("ctx", "一个", "多个", 3)\n'
        'E = translation.gettext(\n    # a comment\n    "跨行"\n    "调用"\n)\n'
        'F = _("百分号 %s" % 1)\n'
        'G = _("加号" + "连接")\n'
        'H = _("嵌套 %(x)s") % {"x": _("内层")}\n'
        "I = _(variable)\n"
        'J = pgettext_lazy(variable, "上下文不是字面量")\n'
        'K = _(b"bytes")\n'
        "def gettext(x):\n    return x\n"
    )
    assert po_check.marked_strings(code) == {
        (None, "拼接字符串"),
        ("上下文", "有上下文"),
        (None, "%(n)d 篇"),
        ("ctx", "一个"),
        (None, "跨行调用"),
        (None, "百分号 %s"),
        (None, "加号连接"),
        (None, "嵌套 %(x)s"),
        (None, "内层"),
    }


def test_the_source_reader_reads_templates_as_makemessages_does(tmp_path):
    (tmp_path / "Makefile").write_text("MESSAGES_IGNORE := --ignore 'tests/*'\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "page.html").write_text(
        '{% translate "测试里的不算" %}', encoding="utf-8"
    )
    (tmp_path / "templates" / "page.html").write_text(
        "{% load i18n %}\n"
        '<p>{% translate "模板简单" %}</p>\n'
        '    <p>{% translate "模板上下文" context "页面" %}</p>\n'
        "      <div>{% blocktranslate trimmed with name=x %}\n        你好，{{ name }}！\n"
        "        第二行\n      {% endblocktranslate %}</div>\n"
        "{% blocktranslate count counter=n %}{{ counter }} 篇{% plural %}{{ counter }} 篇文章"
        "{% endblocktranslate %}\n"
        '{% blocktranslate context "标题" %}带上下文的块{% endblocktranslate %}\n'
        '{{ value|default:_("过滤器默认") }}\n'
        '{% translate "变量" as var %}\n'
        "{# Translators: 注释 #}\n"
        "<a title=\"{% translate 'single quoted' %}\">x</a>\n",
        encoding="utf-8",
    )
    assert po_check.source_keys(tmp_path) == {
        (None, "模板简单"),
        ("页面", "模板上下文"),
        (None, "你好，%(name)s！ 第二行"),
        (None, "%(counter)s 篇"),
        ("标题", "带上下文的块"),
        (None, "过滤器默认"),
        (None, "变量"),
        (None, "single quoted"),
    }


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
