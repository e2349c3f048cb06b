"""Choice labels shown on pages (get_FOO_display) in both languages."""

from django.utils import translation

from activities.models import Activity
from organizations.models import Federation, ServiceSite


def test_labels_follow_the_language_of_the_page():
    activity = Activity(category="culture", format="hybrid")
    with translation.override("zh-hans"):
        assert activity.get_category_display() == "文艺交流"
        assert activity.get_format_display() == "线上线下结合"
    with translation.override("en"):
        assert activity.get_category_display() == "Arts and culture"
        assert activity.get_format_display() == "Online and in person"


def test_an_unknown_or_empty_value_shows_as_it_is():
    assert Activity(category="retired-kind").get_category_display() == "retired-kind"
    assert Federation(kind="").get_kind_display() == ""
    with translation.override("zh-hans"):
        assert ServiceSite(kind="women_home").get_kind_display() == "妇女之家"
