"""The select box written in Python is the one Django's templates write."""

from django import forms
from django.forms.renderers import DjangoTemplates

from federation.web.forms_renderer import FormRenderer


class Filters(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("", "全部类型"),
            ("a<b", "妇女之家 & <b>儿童</b>"),
            ("阵地", [("women", "妇女之家"), ("children", "儿童之家")]),
        ],
        required=False,
    )
    areas = forms.MultipleChoiceField(
        choices=[("1", "泰达街"), ("2", "新城")],
        widget=forms.SelectMultiple(attrs={"class": "wide", "data-note": '"引号"'}),
    )
    year = forms.TypedChoiceField(
        choices=[(2025, "2025 年"), (2026, "2026 年")],
        coerce=int,
        widget=forms.Select(attrs={"disabled": True, "hidden": False}),
    )


def test_the_select_markup_is_written_literally():
    form = Filters({"kind": "children", "areas": ["2"]}, renderer=FormRenderer())
    assert str(form["kind"]) == (
        '<select name="kind" id="id_kind">\n'
        '  <option value="">全部类型</option>\n\n'
        '  <option value="a&lt;b">妇女之家 &amp; &lt;b&gt;儿童&lt;/b&gt;</option>\n\n'
        '  <optgroup label="阵地">\n'
        '  <option value="women">妇女之家</option>\n\n'
        '  <option value="children" selected>儿童之家</option>\n\n'
        "  </optgroup>\n"
        "</select>"
    )
    assert str(form["areas"]) == (
        '<select name="areas" class="wide" data-note="&quot;引号&quot;" required id="id_areas"'
        " multiple>\n"
        '  <option value="1">泰达街</option>\n\n'
        '  <option value="2" selected>新城</option>\n\n'
        "</select>"
    )


def test_every_select_matches_djangos_own_templates():
    for data in (None, {"kind": "a<b", "areas": ["1", "2"], "year": "2026"}, {"areas": []}):
        ours = Filters(data, renderer=FormRenderer())
        django = Filters(data, renderer=DjangoTemplates())
        for name in ("kind", "areas", "year"):
            assert str(ours[name]) == str(django[name]), name


def test_other_widgets_still_use_the_templates():
    class Other(forms.Form):
        pick = forms.ChoiceField(choices=[("1", "一")], widget=forms.RadioSelect)
        note = forms.CharField()

    form = Other(renderer=FormRenderer())
    assert str(form["pick"]) == str(Other(renderer=DjangoTemplates())["pick"])
    assert '<input type="radio" name="pick" value="1"' in str(form["pick"])
    assert str(form["note"]) == '<input type="text" name="note" required id="id_note">'
